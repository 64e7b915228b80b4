"""`evaluate --by-author`: cues alone and the blend side by side, on each author left out in turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.tagging.authors import CUE_TUNED, HELD_BACK, load_authors
from bot.tagging.blend import Blend
from bot.tagging.codes import Codebook
from bot.tagging.crossval import Fold, leave_one_out, prepare
from bot.tagging.embedding import load_embedder
from bot.tagging.metrics import kind_scores, micro
from bot.tagging.tagger import Tagger

logger = logging.getLogger(__name__)


def by_author(
    codebook: Codebook,
    data_dir: Path | None,
    held_back: bool,
    progress: Callable[[str], None] = lambda line: None,
) -> list[Fold]:
    """One fold per author; the held-back author is scored only when asked, trained on all others.
    Each fold takes a while, so `progress` hears of each before it starts."""
    authors = load_authors(data_dir, held_back=held_back)
    progress(f"Tagging and embedding {sum(len(a.examples) for a in authors)} entries…")
    corpus = prepare(authors, Tagger(codebook), load_embedder())
    open_set = {name: scored for name, scored in corpus.items() if name != HELD_BACK}
    plan = [(name, open_set) for name in open_set]
    if HELD_BACK in corpus:
        plan.append((HELD_BACK, corpus))
    folds = []
    for number, (name, pool) in enumerate(plan, 1):
        progress(f"Leaving out {name} ({number} of {len(plan)})…")
        folds.append(leave_one_out(pool, name, codebook.ids))
    return folds


LAYER_INTRO = (
    f"Leave one author out ({HELD_BACK} held back): each layer is trained, and its L2, weights",
    "and thresholds chosen, on the other authors only. Micro-F1, cues alone vs blend:",
)
FOLD_FILES_INTRO = (
    f"Each author unseen ({HELD_BACK} held back): the encoder and layer fine-tuned without the",
    "author (and any left out with it), blended with the cues as shipped. Micro-F1, cues alone",
    "vs blend:",
)
PER_CODE_INTRO = (
    f"Each author unseen ({HELD_BACK} held back): the encoder and layer fine-tuned without the",
    "author (and any left out with it), each code's weight and threshold chosen on the other",
    "unseen authors' folds. Micro-F1, cues alone vs blend:",
)


def format_folds(
    folds: Sequence[Fold], codebook: Codebook, intro: Sequence[str] = LAYER_INTRO
) -> str:
    """Micro-F1 per author, then F1 per code and author, cues → blend; beside them the authors the
    cues were tuned on (dev-tuned) and the rest (unseen), pooled."""
    lines = [
        *intro,
        f"  {'author':<10}{'n':>5}{'w/t':>11}{'L2':>6}{'outcomes':>18}{'challenges':>18}",
    ]
    groups = _pooled_groups(folds)
    lines.extend(_summary_row(fold, codebook) for fold in [*folds, *groups])
    columns = [*folds, *groups]
    lines.append(
        f"\n  F1 per code, cues → blend\n  {'code':<18}"
        + "".join(f"{f.author:>14}" for f in columns)
    )
    for code in codebook.ids:
        cells = "".join(f"{f.cues[code].f1:>7.2f}→{f.blend[code].f1:<5.2f}" + " " for f in columns)
        lines.append(f"  {code:<18}{cells}")
    return "\n".join([*lines, *_thresholds(folds, codebook)])


def _pooled_groups(folds: Sequence[Fold]) -> list[Fold]:
    """The open authors the cues were tuned on, and those they never saw, each pooled."""
    open_folds = [f for f in folds if f.author != HELD_BACK]
    groups = (
        ("dev-tuned", [f for f in open_folds if f.author in CUE_TUNED]),
        ("unseen", [f for f in open_folds if f.author not in CUE_TUNED]),
    )
    return [pooled(name, group) for name, group in groups if group]


def _thresholds(folds: Sequence[Fold], codebook: Codebook) -> list[str]:
    """Each code's own weight/threshold, as each fold chose them without its author."""
    lines = [
        "\n  Weight/threshold per code, chosen inside each fold's training authors",
        f"  {'code':<18}" + "".join(f"{f.author:>14}" for f in folds),
    ]
    for code in codebook.ids:
        cells = "".join(
            f"{f.chosen.weight_for(code):>9.2f}/{f.chosen.threshold_for(code):<4.2f}" for f in folds
        )
        lines.append(f"  {code:<18}{cells}")
    return lines


def pooled(name: str, folds: Sequence[Fold]) -> Fold:
    """Several authors' counts added up, to read the authors the cues were or weren't tuned on."""
    codes = folds[0].cues.keys()
    return Fold(
        author=name,
        entries=sum(f.entries for f in folds),
        cues={c: micro(f.cues[c] for f in folds) for c in codes},
        blend={c: micro(f.blend[c] for f in folds) for c in codes},
        chosen=Blend(float("nan"), float("nan")),
        l2=float("nan"),
    )


def _summary_row(fold: Fold, codebook: Codebook) -> str:
    chosen = f"{fold.chosen.weight:.2f}/{fold.chosen.threshold:.2f}".replace("nan/nan", "pooled")
    cues, blend = kind_scores(fold.cues, codebook), kind_scores(fold.blend, codebook)
    cells = "".join(f"{cues[kind]:>11.3f} {blend[kind]:>6.3f}" for kind in cues)
    l2 = "" if fold.l2 != fold.l2 else f"{fold.l2:g}"
    return f"  {fold.author:<10}{fold.entries:>5}{chosen:>11}{l2:>6}{cells}"
