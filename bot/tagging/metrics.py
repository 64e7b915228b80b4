"""Precision, recall and F1 per code and micro-averaged, the numbers the tagger is judged on."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and false negatives for one code or a group of codes."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def count_code(code_id: str, pairs: Iterable[tuple[set[str], set[str]]]) -> Counts:
    """Counts for one code over (gold, predicted) pairs."""
    total = Counts()
    for gold, predicted in pairs:
        total += Counts(
            tp=int(code_id in gold and code_id in predicted),
            fp=int(code_id not in gold and code_id in predicted),
            fn=int(code_id in gold and code_id not in predicted),
        )
    return total


def micro(counts: Iterable[Counts]) -> Counts:
    """Pools the counts, so frequent codes weigh more, as in most tagging papers."""
    return sum(counts, Counts())
