"""Fine-tunes the encoder and its per-code head together on labelled entries."""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import torch

from bot.tagging.finetune_data import BATCH, Row, batches
from bot.tagging.finetune_model import EntryHead

logger = logging.getLogger(__name__)

EPOCHS = 10
ENCODER_RATE = 5e-5
# The head starts from nothing, so it learns forty times faster than the pretrained encoder.
HEAD_RATE = 2e-3
WEIGHT_DECAY = 0.01
WARM_UP = 0.1

Progress = Callable[[int, int, float], None]


def fine_tune(
    model: EntryHead, rows: Sequence[Row], epochs: int = EPOCHS, progress: Progress | None = None
) -> None:
    """AdamW with a warm-up over a tenth of the steps, then a linear decay to nothing."""
    generator = random.Random(0)
    torch.manual_seed(0)
    optimiser = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": ENCODER_RATE},
            {"params": model.head.parameters(), "lr": HEAD_RATE},
        ],
        weight_decay=WEIGHT_DECAY,
    )
    steps = epochs * math.ceil(len(rows) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda step: _rate(step, steps))
    loss_of = torch.nn.BCEWithLogitsLoss()
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for batch in batches(rows, generator):
            optimiser.zero_grad()
            loss = loss_of(model(batch.ids, batch.mask), batch.labels)
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        if progress:
            progress(epoch + 1, epochs, total)


def _rate(step: int, steps: int) -> float:
    """The share of the full learning rate at `step`."""
    warm = min(1.0, (step + 1) / max(WARM_UP * steps, 1.0))
    return warm * max(0.0, (steps - step) / steps)


def probabilities(model: EntryHead, rows: Sequence[Row]) -> npt.NDArray[np.float64]:
    """Each code's probability for every row, in order, as the trained head gives it."""
    model.eval()
    out = np.zeros((len(rows), model.head.out_features), np.float64)
    with torch.no_grad():
        for batch in batches(rows):
            out[batch.entries] = torch.sigmoid(model(batch.ids, batch.mask)).numpy()
    return out
