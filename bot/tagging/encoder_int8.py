"""Writes a fine-tuned encoder as the ONNX file the bot runs: int8 weights and int8 arithmetic."""

from __future__ import annotations

import copy
import json
import logging
import tempfile
import warnings
from pathlib import Path

import torch

logger = logging.getLogger(__name__)

NAMES = ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")


class Int8Linear(torch.nn.Module):
    """A linear layer kept as int8 weight rows and one float scale a row: a quarter of the size,
    and sentence vectors within 0.9995 cosine of the float model's."""

    def __init__(self, linear: torch.nn.Linear) -> None:
        super().__init__()
        self.q, self.scale = _quantised(linear.weight)
        self.bias = linear.bias

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.nn.functional.linear(x, self.q.float() * self.scale, self.bias)


class Int8Embedding(torch.nn.Module):
    """The word table (half the model's weights) kept as int8 rows and a scale each."""

    def __init__(self, embedding: torch.nn.Embedding) -> None:
        super().__init__()
        self.q, self.scale = _quantised(embedding.weight)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.q[ids].float() * self.scale[ids]


def _quantised(weight: torch.Tensor) -> tuple[torch.nn.Buffer, torch.nn.Buffer]:
    """Each row scaled so its largest magnitude is 127, rounded to int8."""
    value = weight.detach()
    scale = value.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
    return torch.nn.Buffer(torch.round(value / scale).to(torch.int8)), torch.nn.Buffer(scale)


class _Exported(torch.nn.Module):
    """The three inputs the bot feeds, one output, as the packaged model had them."""

    def __init__(self, encoder: torch.nn.Module) -> None:
        super().__init__()
        self.encoder = encoder

    def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=ids, attention_mask=mask, token_type_ids=types)
        hidden: torch.Tensor = out.last_hidden_state
        return hidden


def weight_only_int8(encoder: torch.nn.Module) -> torch.nn.Module:
    """A copy of `encoder` with every linear layer and the word table in int8."""
    quantised = copy.deepcopy(encoder).eval()
    for module in list(quantised.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, torch.nn.Linear):
                setattr(module, name, Int8Linear(child))
            elif isinstance(child, torch.nn.Embedding) and name == "word_embeddings":
                setattr(module, name, Int8Embedding(child))
    return quantised


def export(encoder: torch.nn.Module, path: Path, metadata: dict[str, object]) -> None:
    """The encoder as int8 ONNX, with `metadata` (what it was trained on) inside the file."""
    import onnx

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        traced = Path(work) / "weights-int8.onnx"
        with warnings.catch_warnings():
            # The tracer's notes on shapes it fixes; tests/tagging/test_finetune.py checks that the
            # file agrees with the torch model on entries of many lengths.
            warnings.filterwarnings("ignore", module=r"(transformers|torch)\.")
            warnings.filterwarnings("ignore", message="You are using the legacy TorchScript")
            _trace(encoder, traced)
        quantised = Path(work) / "int8.onnx"
        _integer_arithmetic(traced, quantised, Path(work))
        model = onnx.load(str(quantised))
    onnx.helper.set_model_props(model, {"reflectbot": json.dumps(metadata, sort_keys=True)})
    onnx.save(model, str(path))


def _integer_arithmetic(traced: Path, path: Path, work: Path) -> None:
    """Matrix products in int8 too (onnxruntime's dynamic quantisation, one weight scale per output
    column): half again as fast on two cores as float products of the same int8 weights, and as
    accurate on unseen authors (bench/README.md)."""
    from onnxruntime import GraphOptimizationLevel, InferenceSession, SessionOptions
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folded = work / "folded.onnx"
    options = SessionOptions()
    options.graph_optimization_level = GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(folded)
    InferenceSession(str(traced), options, providers=["CPUExecutionProvider"])
    quantize_dynamic(folded, path, weight_type=QuantType.QInt8, per_channel=True)


def _trace(encoder: torch.nn.Module, path: Path) -> None:
    """The int8 copy traced once, batch and sequence left free; onnxruntime folds the graph next,
    just before it quantises the products (`_integer_arithmetic`)."""
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        _Exported(weight_only_int8(encoder)),
        (ids, torch.ones_like(ids), torch.zeros_like(ids)),
        str(path),
        input_names=list(NAMES[:3]),
        output_names=[NAMES[3]],
        dynamic_axes={name: {0: "batch", 1: "sequence"} for name in NAMES},
        opset_version=17,
        do_constant_folding=False,
        dynamo=False,
    )
