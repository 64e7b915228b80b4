"""Labelled entries as the encoder sees them at run time: one row of tokens, cut at its limit."""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch

from bot.tagging.dataset import Example
from bot.tagging.embedding import entry_tokenizer

logger = logging.getLogger(__name__)

BATCH = 16


@dataclass(frozen=True)
class Row:
    """One entry's token ids, as `Embedder.embed_entry` would send them, and its 0/1 codes."""

    ids: list[int]
    labels: npt.NDArray[np.float32]


@dataclass(frozen=True)
class Batch:
    """Several entries padded into one matrix."""

    entries: list[int]
    ids: torch.Tensor
    mask: torch.Tensor
    labels: torch.Tensor


def rows_of(examples: Sequence[Example], codes: Sequence[str]) -> list[Row]:
    """Each entry's tokens exactly as the bot will cut them, and what people coded it."""
    tokenizer = entry_tokenizer()
    return [
        Row(
            tokenizer.encode(example.text).ids,
            np.array([code in example.codes for code in codes], np.float32),
        )
        for example in examples
    ]


def batches(rows: Sequence[Row], shuffle: random.Random | None = None) -> Iterator[Batch]:
    """Entries of like length together, so little of each batch is padding; shuffled by batch."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].ids))
    chunks = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    if shuffle:
        shuffle.shuffle(chunks)
    for chunk in chunks:
        ids = torch.zeros((len(chunk), max(len(rows[i].ids) for i in chunk)), dtype=torch.long)
        for j, i in enumerate(chunk):
            ids[j, : len(rows[i].ids)] = torch.tensor(rows[i].ids)
        labels = torch.from_numpy(np.stack([rows[i].labels for i in chunk]))
        yield Batch(chunk, ids, (ids > 0).long(), labels)
