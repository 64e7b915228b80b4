"""Leave-one-author-out folds of the fine-tuned model, read back from the files each run wrote.

Fine-tuning takes minutes an author on two cores, so each fold is run once
(`python -m bot.tagging.finetune --leave-out AUTHOR --out DIR`), and its held-out probabilities
are kept; the table, and each code's weight and threshold, come from those files."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.tagging.authors import CUE_TUNED
from bot.tagging.blend import Blend
from bot.tagging.choose import pick_blend
from bot.tagging.crossval import Fold
from bot.tagging.metrics import Counts

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]
MATRICES = ("model", "cues", "gold")


@dataclass(frozen=True)
class HeldOut:
    """One author's entries as the model trained without them scored them."""

    author: str
    codes: tuple[str, ...]
    model: Matrix
    cues: Matrix
    cue_applies: Matrix
    gold: Matrix


def save_held_out(path: Path, held: HeldOut) -> None:
    """Plain arrays, no pickle: model probability, cue confidence and 0/1 label per code."""
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        author=held.author,
        codes=np.array(held.codes),
        model=held.model,
        cues=held.cues,
        cue_applies=held.cue_applies,
        gold=held.gold,
    )


def load_held_out(path: Path) -> HeldOut:
    with np.load(path, allow_pickle=False) as data:
        return HeldOut(
            str(data["author"]),
            tuple(str(code) for code in data["codes"]),
            data["model"].astype(np.float64),
            data["cues"].astype(np.float64),
            data["cue_applies"].astype(np.float64),
            data["gold"].astype(np.float64),
        )


def folds_from(folder: Path, fixed: Blend | None = None) -> list[Fold]:
    """One fold per file. Each author's blend is chosen on the other unseen authors' files, never
    its own, unless `fixed` is given or there are too few of them."""
    held = [load_held_out(path) for path in sorted(folder.glob("*.npz"))]
    return [_fold(one, fixed or _blend_without(one, held)) for one in held]


def _blend_without(one: HeldOut, held: Sequence[HeldOut]) -> Blend:
    others = [h for h in held if h.author != one.author and h.author not in CUE_TUNED]
    if len(others) < 2:
        return Blend(0.6, 0.4)
    model, cues, gold = (np.vstack([getattr(h, name) for h in others]) for name in MATRICES)
    return pick_blend(model, cues, gold, one.codes)


def _fold(one: HeldOut, blend: Blend) -> Fold:
    weights = np.array([blend.weight_for(c) for c in one.codes])
    thresholds = np.array([blend.threshold_for(c) for c in one.codes])
    applies = weights * one.model + (1 - weights) * one.cues >= thresholds
    cue_applies = one.cue_applies > 0
    truth = one.gold > 0
    return Fold(
        author=one.author,
        entries=len(one.gold),
        cues={c: _counts(cue_applies[:, k], truth[:, k]) for k, c in enumerate(one.codes)},
        blend={c: _counts(applies[:, k], truth[:, k]) for k, c in enumerate(one.codes)},
        chosen=blend,
        l2=float("nan"),
    )


def _counts(applies: npt.NDArray[np.bool_], truth: npt.NDArray[np.bool_]) -> Counts:
    return Counts(
        int((applies & truth).sum()), int((applies & ~truth).sum()), int((~applies & truth).sum())
    )
