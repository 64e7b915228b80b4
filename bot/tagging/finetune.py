"""`python -m bot.tagging.finetune WEIGHTS`: fine-tunes the sentence model on the labelled authors
and writes the encoder and layer the bot runs; with `--leave-out AUTHOR` (once or more), trains
without those authors and scores each of them."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from bot.tagging.authors import HELD_BACK, Author, load_authors
from bot.tagging.codebook import load_codebook
from bot.tagging.codes import Codebook
from bot.tagging.embedding import MAX_TOKENS, MODEL_DIR, TOKENIZER_FILE, sha256_of
from bot.tagging.encoder_int8 import export
from bot.tagging.finetune_data import rows_of
from bot.tagging.finetune_model import EntryHead, load_encoder
from bot.tagging.finetune_record import record_folds
from bot.tagging.finetune_score import score_author
from bot.tagging.finetune_train import EPOCHS, fine_tune
from bot.tagging.fold_files import FIXED
from bot.tagging.probe import save_probe

logger = logging.getLogger(__name__)

ENCODER_NAME = "encoder.onnx"
LAYER_NAME = "layer.npz"


def train_and_write(
    weights: Path, authors: Sequence[Author], codebook: Codebook, out: Path, epochs: int
) -> EntryHead:
    """Fine-tunes on `authors`, then writes `out`/encoder.onnx and `out`/layer.npz."""
    torch.manual_seed(0)
    codes = list(codebook.ids)
    model = EntryHead(load_encoder(weights), len(codes))
    examples = [example for author in authors for example in author.examples]
    fine_tune(model, rows_of(examples, codes), epochs, _progress)
    metadata: dict[str, object] = {
        "trained_on": {author.name: len(author.examples) for author in authors},
        "held_back": HELD_BACK,
        "epochs": epochs,
        "base_sha256": sha256_of(weights / "model.safetensors"),
        "entry_tokens": MAX_TOKENS,
        "tokenizer_sha256": sha256_of(TOKENIZER_FILE),
        "codebook_sha256": sha256_of(codebook.source),
    }
    encoder = out / ENCODER_NAME
    export(model.encoder, encoder, metadata)
    layer = {
        **metadata,
        "blend": FIXED.to_metadata(),
        "features": "the whole entry's mean token vector from the fine-tuned encoder",
        "model": f"all-MiniLM-L6-v2 fine-tuned on the codes, int8 ONNX ({ENCODER_NAME})",
        "model_sha256": sha256_of(encoder),
    }
    save_probe(model.probe(codes, layer), out / LAYER_NAME)
    return model


def _progress(epoch: int, epochs: int, loss: float) -> None:
    print(f"epoch {epoch}/{epochs}: training loss {loss:.2f}", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tagging.finetune", description=__doc__)
    parser.add_argument(
        "weights", type=Path, nargs="?", help="folder with config.json and model.safetensors"
    )
    parser.add_argument(
        "--record",
        type=Path,
        metavar="FOLDS",
        help="no training: record in the shipped layer its scores on the folds' held-out files "
        "(e.g. bench/folds)",
    )
    parser.add_argument(
        "--leave-out",
        action="append",
        default=[],
        metavar="AUTHOR",
        help="an author to leave out of training and then score; repeat it to leave out several "
        "at once (one fine-tuning scores them all, each as an author it never saw)",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", type=Path, help=f"where to write (default {MODEL_DIR})")
    parser.add_argument("--prompts-dir", type=Path, help="folder holding codebook.yaml")
    parser.add_argument(
        "--data-dir", type=Path, help="folder of labelled sets (default tests/data), for tests"
    )
    args = parser.parse_args(argv)
    codebook = load_codebook(args.prompts_dir)
    if args.record:
        layer = (args.out or MODEL_DIR) / LAYER_NAME
        print(json.dumps(record_folds(args.record, layer, codebook)))
        return 0
    if not args.weights:
        parser.error("name the folder with the upstream weights, or --record FOLDS")
    authors = load_authors(args.data_dir)
    names = [author.name for author in authors]
    for name in args.leave_out:
        if name not in names:
            parser.error(f"{name!r} is not an open author: {', '.join(names)}")
    if args.leave_out and not args.out:
        parser.error("--leave-out needs --out: the shipped files are trained on every author")
    out = args.out or MODEL_DIR
    training = [author for author in authors if author.name not in args.leave_out]
    train_and_write(args.weights, training, codebook, out, args.epochs)
    for left_out in (author for author in authors if author.name in args.leave_out):
        print(json.dumps(score_author(left_out, codebook, out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
