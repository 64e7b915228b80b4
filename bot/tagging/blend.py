"""Blends the model's probability with the cues' confidence; the cues stay the evidence they give."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from bot.tagging.judge import Span
from bot.tagging.probe import Probe
from bot.tagging.tagger import CodeMatch, TagResult

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Blend:
    """p = weight * model + (1 - weight) * cues; a code applies from `threshold` up."""

    weight: float = 0.5
    threshold: float = 0.4

    def score(self, model: float, cues: float) -> float:
        return self.weight * model + (1.0 - self.weight) * cues


@dataclass(frozen=True)
class Embedded:
    """A text's sentences and their unit vectors, computed once and reused by every probe."""

    spans: tuple[Span, ...]
    vectors: Vectors

    def pooled(self) -> Vectors:
        """The entry's vector: the mean of its sentences' vectors, back to unit length."""
        mean = self.vectors.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)


def blend_result(cues: TagResult, embedded: Embedded, probe: Probe, blend: Blend) -> TagResult:
    """Every code the probe knows is re-decided; a code it doesn't (added later) keeps the cues' verdict."""
    if not embedded.spans:
        return cues
    entry = probe.predict(embedded.pooled()[None])[0]
    sentences = probe.predict(embedded.vectors)
    column = {code: k for k, code in enumerate(probe.codes)}
    return TagResult(
        {
            code: _combine(match, entry[column[code]], sentences[:, column[code]], embedded, blend)
            if code in column
            else match
            for code, match in cues.codes.items()
        }
    )


def _combine(
    match: CodeMatch,
    model: float,
    sentences: npt.NDArray[np.float64],
    embedded: Embedded,
    blend: Blend,
) -> CodeMatch:
    """The cue spans are the evidence; with none, the sentence the model scored highest is."""
    confidence = round(blend.score(float(model), match.confidence), 3)
    applies = confidence >= blend.threshold
    evidence = match.evidence
    if applies and not evidence:
        evidence = (embedded.spans[int(np.argmax(sentences))],)
    return replace(match, applies=applies, confidence=confidence, evidence=evidence)
