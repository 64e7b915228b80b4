"""Precision, recall and F1 per code and micro-averaged, the numbers the tagger is judged on."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.tagging.codes import Codebook

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
    return count_flags((code_id in gold, code_id in predicted) for gold, predicted in pairs)


def count_flags(flags: Iterable[tuple[object, object]]) -> Counts:
    """Counts over (is it gold, was it predicted) pairs of truth values, one per entry."""
    tp = fp = fn = 0
    for gold, predicted in flags:
        tp += bool(gold) and bool(predicted)
        fp += not gold and bool(predicted)
        fn += bool(gold) and not predicted
    return Counts(tp, fp, fn)


def micro(counts: Iterable[Counts]) -> Counts:
    """Pools the counts, so frequent codes weigh more, as in most tagging papers."""
    return sum(counts, Counts())


def kind_scores(per_code: Mapping[str, Counts], codebook: Codebook) -> dict[str, float]:
    """Micro-F1 for outcomes and for challenges, to three places: how every table reports them."""
    kinds = {"outcomes": codebook.outcomes, "challenges": codebook.challenges}
    return {
        kind: round(micro(per_code[code.id] for code in codes).f1, 3)
        for kind, codes in kinds.items()
    }
