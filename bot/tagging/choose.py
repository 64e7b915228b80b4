"""Picks the blend from out-of-author predictions: one global pair, then each code's own, shrunk
toward it by how few positives the code had, so a rare code can't overfit its threshold."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.tagging.blend import Blend

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)
THRESHOLDS = tuple(round(0.2 + 0.05 * step, 2) for step in range(11))
# A code with this many positives gets half its own choice and half the global one.
SHRINK = 20.0


def pick_blend(model: Matrix, cues: Matrix, gold: Matrix, codes: Sequence[str]) -> Blend:
    """`model`, `cues`, `gold`: one row per entry, one column per code (gold 0/1)."""
    weight, threshold = _best(model, cues, gold, WEIGHTS)
    per_code = {
        code: _shrunk(model[:, [k]], cues[:, [k]], gold[:, [k]], (weight, threshold))
        for k, code in enumerate(codes)
    }
    return Blend(weight, threshold, per_code)


def _shrunk(
    model: Matrix, cues: Matrix, gold: Matrix, overall: tuple[float, float]
) -> tuple[float, float]:
    """The code's own best pair, pulled toward the global pair."""
    own = _best(model, cues, gold, WEIGHTS)
    share = float(gold.sum()) / (float(gold.sum()) + SHRINK)
    return tuple(  # type: ignore[return-value]
        round(share * mine + (1.0 - share) * everyone, 3)
        for mine, everyone in zip(own, overall, strict=True)
    )


def _best(
    model: Matrix, cues: Matrix, gold: Matrix, weights: Sequence[float]
) -> tuple[float, float]:
    """The (weight, threshold) with the best micro-F1 over the columns; ties go to the first."""
    best, choice = -1.0, (weights[0], THRESHOLDS[0])
    for weight in weights:
        blended = weight * model + (1.0 - weight) * cues
        for threshold, f1 in zip(THRESHOLDS, _f1s(blended, gold), strict=True):
            if f1 > best + 1e-9:
                best, choice = f1, (weight, threshold)
    return choice


def _f1s(blended: Matrix, gold: Matrix) -> Matrix:
    """Micro-F1 over all columns at each threshold."""
    return micro_f1(blended[..., None] >= np.asarray(THRESHOLDS), gold[..., None] > 0, (0, 1))


def micro_f1(
    applies: npt.NDArray[np.bool_], truth: npt.NDArray[np.bool_], axis: tuple[int, ...] | None
) -> Matrix:
    """2·TP / (2·TP + FP + FN), summed over `axis` (None: over everything)."""
    tp = (applies & truth).sum(axis=axis)
    wrong = (applies != truth).sum(axis=axis)
    return np.asarray(2 * tp / np.maximum(2 * tp + wrong, 1), np.float64)
