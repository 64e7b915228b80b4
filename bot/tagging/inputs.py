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
# Each dimension's largest value over the sentences: one sentence about a difficulty still shows
# in a long entry, where the mean dilutes it (leaving one author out, challenges 0.750 → 0.770 on
# nine authors; level on fourteen, bench/README.md).
PEAK = "max"
CUES = "cues"
# The whole entry's mean token vector, from one pass through the fine-tuned encoder: what the
# shipped layer reads (leaving one author out, +3 outcomes and +5 challenges F1 over the mean and
# peak of separately embedded sentences, bench/README.md).
ENTRY = "entry"
# Layers trained before the cues were an input read the mean vector alone.
OLD_INPUTS = (MEAN,)
INPUTS = (MEAN, PEAK, CUES)


@dataclass(frozen=True)
class Embedded:
    """A text's sentences and their unit vectors, computed once and reused by every probe."""

    spans: tuple[Span, ...]
    vectors: Vectors
    entry: Vectors | None = None

    def whole(self) -> Vectors:
        """The whole entry's vector; for vectors made sentence by sentence, their mean."""
        return self.pooled() if self.entry is None else self.entry

    def pooled(self) -> Vectors:
        """The entry's vector: the mean of its sentences' vectors, back to unit length."""
        mean = self.vectors.mean(axis=0)
        return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)

    def peak(self) -> Vectors:
        """Each dimension's largest value over the sentences."""
        return np.asarray(self.vectors.max(axis=0), dtype=np.float32)


def inputs_of(metadata: Mapping[str, object]) -> tuple[str, ...]:
    """The inputs a layer was trained on, as its metadata records them."""
    named = metadata.get("inputs")
    return tuple(str(name) for name in named) if isinstance(named, list | tuple) else OLD_INPUTS


def entry_rows(
    cues: TagResult, embedded: Embedded, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    """One row for the whole entry."""
    vectors = {MEAN: embedded.pooled(), PEAK: embedded.peak(), ENTRY: embedded.whole()}
    return _rows({name: vector[None] for name, vector in vectors.items()}, cues, codes, inputs)


def sentence_rows(
    cues: TagResult, embedded: Embedded, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    """One row per sentence, each read as if it were the entry (with the entry's cues), to find
    the sentence that best stands as evidence."""
    sentences = embedded.vectors
    return _rows({MEAN: sentences, PEAK: sentences, ENTRY: sentences}, cues, codes, inputs)


def _rows(
    vectors: Mapping[str, Vectors], cues: TagResult, codes: Sequence[str], inputs: Sequence[str]
) -> Vectors:
    """The inputs in the order the layer was trained on them, one row per vector."""
    count = len(vectors[MEAN])
    confidence = [cues.codes[c].confidence if c in cues.codes else 0.0 for c in codes]
    columns = {**vectors, CUES: np.tile(np.asarray(confidence, np.float32), (count, 1))}
    return np.hstack([columns[name] for name in inputs]).astype(np.float32)
