"""The encoder with one logistic output per code over the whole entry's pooled vector."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bot.tagging.embedding import DIMENSION
from bot.tagging.inputs import ENTRY
from bot.tagging.probe import Probe

logger = logging.getLogger(__name__)


def load_encoder(weights: Path) -> torch.nn.Module:
    """BERT from a folder with `config.json` and `model.safetensors` (the upstream files)."""
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel

    encoder = BertModel(BertConfig.from_pretrained(weights), add_pooling_layer=False)
    loaded = encoder.load_state_dict(load_file(weights / "model.safetensors"), strict=False)
    if loaded.missing_keys:
        raise ValueError(f"{weights} lacks {len(loaded.missing_keys)} of the encoder's weights")
    module: torch.nn.Module = encoder
    return module


def pooled(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The mean of the real tokens' vectors: the entry vector the bot's layer reads."""
    weights = mask.unsqueeze(-1).float()
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


class EntryHead(torch.nn.Module):
    """The whole entry through the encoder, mean-pooled, and one logit per code. The bot's
    `Probe` reads the same vector, so the head becomes the shipped layer unchanged."""

    def __init__(self, encoder: torch.nn.Module, codes: int) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = torch.nn.Dropout(0.1)
        self.head = torch.nn.Linear(DIMENSION, codes)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        logits: torch.Tensor = self.head(self.dropout(pooled(hidden, mask)))
        return logits

    def probe(self, codes: Sequence[str], metadata: dict[str, Any]) -> Probe:
        """The head as the bot's layer, on the unscaled entry vector."""
        return Probe(
            tuple(codes),
            np.zeros(DIMENSION),
            np.ones(DIMENSION),
            np.asarray(self.head.weight.detach().numpy(), np.float64),
            np.asarray(self.head.bias.detach().numpy(), np.float64),
            {**metadata, "inputs": [ENTRY]},
        )
