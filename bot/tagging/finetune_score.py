"""Scores an author left out of fine-tuning with the files just written, as the bot would run them."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.tagging.authors import Author
from bot.tagging.blend import sentence_probabilities
from bot.tagging.codes import Codebook
from bot.tagging.crossval import Scored, arrays, predicted
from bot.tagging.embedding import Embedder
from bot.tagging.fold_files import HeldOut, save_held_out
from bot.tagging.metrics import count_code, kind_scores
from bot.tagging.model_tagger import ModelTagger, blend_from, embed_text
from bot.tagging.probe import Probe, load_probe

logger = logging.getLogger(__name__)


def score_author(author: Author, codebook: Codebook, folder: Path) -> dict[str, object]:
    """Micro-F1 by kind for the cues alone and for the tagger; the held-out probabilities are kept
    in `folder`/held-out/, so each code's threshold can later be chosen on the other folds'."""
    probe = load_probe(folder / "layer.npz")
    tagger = ModelTagger(codebook, Embedder(folder / "encoder.onnx"), probe)
    scored = [
        Scored(e, tagger.cues(e.text), embed_text(tagger.embedder, e.text)) for e in author.examples
    ]
    model, cues, gold = arrays(scored, probe, probe.codes)
    cue_applies = np.array([[s.cues.codes[c].applies for c in probe.codes] for s in scored], float)
    best = np.array([_best_sentence(s, probe, row) for s, row in zip(scored, model, strict=True)])
    held = HeldOut(author.name, probe.codes, model, cues, cue_applies, gold, best)
    save_held_out(folder / "held-out" / f"{author.name}.npz", held)
    result: dict[str, object] = {"author": author.name, "entries": len(scored)}
    for name, layer in (("cues", None), ("tagger", probe)):
        pairs = predicted(scored, layer, blend_from(probe.metadata))
        result[name] = kind_scores({c: count_code(c, pairs) for c in codebook.ids}, codebook)
    return result


def _best_sentence(
    scored: Scored, probe: Probe, entry: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Each code's probability for the entry's best sentence (the entry's own when it has none)."""
    if not scored.embedded.spans:
        return entry
    return np.asarray(sentence_probabilities(scored.cues, scored.embedded, probe).max(axis=0))
