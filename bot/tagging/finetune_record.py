"""Writes what the folds measured into the shipped layer: its scores on authors it never saw."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from bot.tagging.authors import CUE_TUNED
from bot.tagging.by_author import pooled
from bot.tagging.codes import Codebook
from bot.tagging.fold_files import FIXED, folds_from
from bot.tagging.metrics import kind_scores
from bot.tagging.probe import load_probe, save_probe

logger = logging.getLogger(__name__)


def record_folds(folder: Path, layer: Path, codebook: Codebook) -> dict[str, object]:
    """The unseen authors' folds pooled, with the shipped blend: what `tagger status` reports and
    `evaluate --by-author --folds` prints."""
    every = folds_from(folder)
    if not every:
        raise SystemExit(f"No held-out files in {folder}")
    unseen = pooled("unseen", [f for f in every if f.author not in CUE_TUNED] or every)
    scores = kind_scores(unseen.blend, codebook)
    probe = load_probe(layer)
    recorded = {
        "blend": FIXED.to_metadata(),
        "scores": scores,
        "folds": [f.author for f in every],
    }
    save_probe(replace(probe, metadata={**probe.metadata, **recorded}), layer)
    return recorded
