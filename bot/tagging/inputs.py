"""What the per-code layer reads for an entry: its sentences' pooled vector and the cues' confidences."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.tagging.judge import Span
from bot.tagging.tagger import TagResult

logger = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

MEAN = "mean"
CUES = "cues"
# Layers trained before the cues were an input read the mean vector alone.
OLD_INPUTS = (MEAN,)
INPUTS = (MEAN, CUES)


@dataclass(frozen=True)
class Embedded:
    """A text's sentences and their unit vectors, computed once and reused by every probe."""

    spans: tuple[Span, ...]
    vectors: Vectors

    def pooled(self) -> Vectors:
        """The entry's vector: the mean of its sentences' vectors, back to unit length."""
        mean = self.vectors.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)


def inputs_of(metadata: Mapping[str, object]) -> tuple[str, ...]:
    """The inputs a layer was trained on, as its metadata records them."""
    named = metadata.get("inputs")
    return tuple(str(name) for name in named) if isinstance(named, list | tuple) else OLD_INPUTS


def entry_rows(
    cues: TagResult, embedded: Embedded, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    """One row for the whole entry."""
    return _rows(embedded.pooled()[None], cues, codes, inputs)


def sentence_rows(
    cues: TagResult, embedded: Embedded, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    """One row per sentence, each read as if it were the entry (with the entry's cues), to find
    the sentence that best stands as evidence."""
    return _rows(embedded.vectors, cues, codes, inputs)


def _rows(
    vectors: Vectors, cues: TagResult, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    columns = [vectors]
    if CUES in inputs:
        confidence = [cues.codes[c].confidence if c in cues.codes else 0.0 for c in codes]
        columns.append(np.tile(np.asarray(confidence, np.float32), (len(vectors), 1)))
    return np.hstack(columns).astype(np.float32)
