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
from bot.tagging.metrics import Counts, count_flags

logger = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]
MATRICES = ("model", "cues", "gold")
# 0.6 model, 0.4 cues, applying from 0.4: chosen on author_e's fold of the first fine-tuning
# trial. Choosing each code's pair on the other authors' folds did worse on the author left out
# (outcomes 0.822 against 0.836 on five unseen authors pooled; bench/README.md).
FIXED = Blend(weight=0.6, threshold=0.4)


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


def folds_from(folder: Path, per_code: bool = False) -> list[Fold]:
    """One fold per file, with the shipped blend; or, `per_code`, with each code's weight and
    threshold chosen on the other unseen authors' files, never its own."""
    held = load_all(folder)
    return [_fold(one, _blend_without(one, held) if per_code else FIXED) for one in held]


def _blend_without(one: HeldOut, held: Sequence[HeldOut]) -> Blend:
    return blend_on([h for h in held if h.author != one.author])


def blend_on(held: Sequence[HeldOut]) -> Blend:
    """Each code's weight and threshold, chosen on the unseen authors' held-out predictions (the
    cues flatter the authors they were tuned on); the fixed blend when there are too few."""
    unseen = [h for h in held if h.author not in CUE_TUNED]
    if len(unseen) < 2:
        return FIXED
    model, cues, gold = (np.vstack([getattr(h, name) for h in unseen]) for name in MATRICES)
    return pick_blend(model, cues, gold, unseen[0].codes)


def load_all(folder: Path) -> list[HeldOut]:
    return [load_held_out(path) for path in sorted(folder.glob("*.npz"))]


def _fold(one: HeldOut, blend: Blend) -> Fold:
    weights = np.array([blend.weight_for(c) for c in one.codes])
    thresholds = np.array([blend.threshold_for(c) for c in one.codes])
    # Rounded as the tagger stores and compares a tag's confidence (blend._combine).
    applies = np.round(weights * one.model + (1 - weights) * one.cues, 3) >= thresholds
    cue_applies = one.cue_applies > 0
    truth = one.gold > 0
    return Fold(
        author=one.author,
        entries=len(one.gold),
        cues={c: _count(truth[:, k], cue_applies[:, k]) for k, c in enumerate(one.codes)},
        blend={c: _count(truth[:, k], applies[:, k]) for k, c in enumerate(one.codes)},
        chosen=blend,
        l2=float("nan"),
    )


def _count(truth: npt.NDArray[np.bool_], applies: npt.NDArray[np.bool_]) -> Counts:
    return count_flags(zip(truth.tolist(), applies.tolist(), strict=True))
