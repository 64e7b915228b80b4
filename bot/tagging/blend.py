"""Blends the model's probability with the cues' confidence; the cues stay the evidence they give."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from bot.tagging.inputs import Embedded as Embedded
from bot.tagging.inputs import entry_rows, inputs_of, sentence_rows
from bot.tagging.probe import Probe
from bot.tagging.tagger import CodeMatch, TagResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Blend:
    """p = weight * model + (1 - weight) * cues; a code applies from its threshold up. `per_code`
    holds (weight, threshold) for codes tuned on their own; the others use the global pair.
    `sentence_share` is each code's share of the model's say given to its best sentence rather
    than the whole entry (none unless named)."""

    weight: float = 0.5
    threshold: float = 0.4
    per_code: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    sentence_share: Mapping[str, float] = field(default_factory=dict)

    def weight_for(self, code: str) -> float:
        return self.per_code.get(code, (self.weight, self.threshold))[0]

    def threshold_for(self, code: str) -> float:
        return self.per_code.get(code, (self.weight, self.threshold))[1]

    def model_for(self, code: str, entry: float, best_sentence: float) -> float:
        """The model's probability: the whole entry's, with the code's share from its best sentence."""
        share = self.sentence_share.get(code, 0.0)
        return (1.0 - share) * entry + share * best_sentence

    def score(self, model: float, cues: float, code: str = "") -> float:
        weight = self.weight_for(code)
        return weight * model + (1.0 - weight) * cues

    def to_metadata(self) -> dict[str, object]:
        """What `model_tagger.blend_from` reads back: the global pair, each code's own, the shares."""
        per_code = {c: {"weight": w, "threshold": t} for c, (w, t) in sorted(self.per_code.items())}
        chosen: dict[str, object] = {
            "weight": self.weight,
            "threshold": self.threshold,
            "per_code": per_code,
        }
        if self.sentence_share:
            chosen["sentence_share"] = dict(sorted(self.sentence_share.items()))
        return chosen


def model_probabilities(
    cues: TagResult, embedded: Embedded, probe: Probe
) -> npt.NDArray[np.float64]:
    """The layer's probability of each of `probe.codes` for the whole entry."""
    rows = entry_rows(cues, embedded, probe.codes, inputs_of(probe.metadata))
    return np.asarray(probe.predict(rows)[0], np.float64)


def sentence_probabilities(
    cues: TagResult, embedded: Embedded, probe: Probe
) -> npt.NDArray[np.float64]:
    """The layer's probability of each code for each sentence, read in the entry's context."""
    rows = sentence_rows(cues, embedded, probe.codes, inputs_of(probe.metadata))
    return np.asarray(probe.predict(rows), np.float64)


def blend_result(cues: TagResult, embedded: Embedded, probe: Probe, blend: Blend) -> TagResult:
    """Every code the probe knows is re-decided; a code it doesn't (added later) keeps the cues' verdict."""
    if not embedded.spans:
        return cues
    entry = model_probabilities(cues, embedded, probe)
    sentences = sentence_probabilities(cues, embedded, probe)
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
    entry: float,
    sentences: npt.NDArray[np.float64],
    embedded: Embedded,
    blend: Blend,
) -> CodeMatch:
    """The cue spans are the evidence; with none, the sentence the model scored highest is."""
    model = blend.model_for(match.code, float(entry), float(np.max(sentences)))
    confidence = round(blend.score(model, match.confidence, match.code), 3)
    applies = confidence >= blend.threshold_for(match.code)
    evidence = match.evidence
    if applies and not evidence:
        evidence = (embedded.spans[int(np.argmax(sentences))],)
    return replace(match, applies=applies, confidence=confidence, evidence=evidence)
