"""Sentence embeddings from our fine-tuned all-MiniLM-L6-v2 (int8 ONNX), loaded once, on two threads."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
TOKENIZER_FILE = MODEL_DIR / "tokenizer.json"
# Written by `python -m bot.tagging.finetune` beside the layer it trained with it (NOTICE.md).
MODEL_FILE = MODEL_DIR / "encoder.onnx"
MODEL_SHA256 = "b2b0c5c8eccc770af5e3cc536c96c351f03dfc7b5561450e6d7914d0cbd68538"
# The model's own limit (all-MiniLM-L6-v2's max_seq_length): an entry longer than this, about
# 190 words (746 of the 8,470 open labelled ones, up to 386 word pieces), loses its tail.
MAX_TOKENS = 256
DIMENSION = 384
BATCH = 16
# Two threads that sleep rather than spin while they wait: on idle cores they cut the slowest
# entries against one thread, and beside a busy core they still do no worse, where spinning
# threads did (bench/tagger_model_speed.py [--threads 1] [--busy]; figures in bench/README.md).
# A sleeping thread gives its core back, so the bot's throughput with many tutors is the same.
THREADS = 2

Matrix = npt.NDArray[np.float32]


class ModelUnavailable(RuntimeError):
    """The optional model isn't installed, or its file isn't the one we checked."""


class Embedder:
    """Tokenizes, runs the encoder and mean-pools, as sentence-transformers does for this model."""

    def __init__(self, model_path: Path, threads: int = THREADS) -> None:
        from onnxruntime import InferenceSession, SessionOptions

        options = SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = entry_tokenizer()

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One unit-length row per text; texts of like length share a batch, so little is padding."""
        rows = [e.ids for e in self._tokenizer.encode_batch(list(texts))]
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for batch in _like_lengths([len(row) for row in rows]):
            out[batch] = self._run([rows[i] for i in batch])
        return out

    def embed_entry(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[Matrix, Matrix]:
        """From one pass over the whole entry (as the layer was trained): the mean of all its
        tokens' vectors, and each sentence's mean of its own tokens, read in the entry's context
        (zeros for a sentence past the cut), to find the evidence."""
        encoding = self._tokenizer.encode(text)
        hidden = self._hidden([encoding.ids])[0]
        starts = np.array([start for start, _ in encoding.offsets])
        special = np.array(encoding.special_tokens_mask, bool)
        sentences = np.zeros((len(spans), DIMENSION), np.float32)
        for k, (start, end) in enumerate(spans):
            inside = (starts >= start) & (starts < end) & ~special
            if inside.any():
                sentences[k] = hidden[inside].mean(axis=0)
        return np.asarray(hidden.mean(axis=0), np.float32), sentences

    def _hidden(self, rows: list[list[int]]) -> Matrix:
        """Each token's vector from the encoder, for rows of equal length."""
        ids = np.asarray(rows, np.int64)
        feeds = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "token_type_ids": np.zeros_like(ids),
        }
        hidden: Any = self._session.run(None, feeds)[0]
        return np.asarray(hidden, dtype=np.float32)

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


def entry_tokenizer() -> Tokenizer:
    """The tokenizer as `Embedder` sets it up: truncating at the model's limit, no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    return tokenizer


def model_file() -> Path:
    """The fine-tuned encoder that ships in this package."""
    if not MODEL_FILE.exists():
        raise ModelUnavailable(f"{MODEL_FILE.name} is missing from {MODEL_DIR}")
    return MODEL_FILE


def model_record(path: Path) -> dict[str, Any]:
    """What `bot.tagging.finetune` wrote inside the file: the authors it learnt from, and how."""
    from onnxruntime import InferenceSession

    session = InferenceSession(str(path), providers=["CPUExecutionProvider"])
    text = session.get_modelmeta().custom_metadata_map.get("reflectbot", "{}")
    record: dict[str, Any] = json.loads(text)
    return record


def sha256_of(path: Path) -> str:
    """A file's hash, as the layer, tokenizer, codebook and model files are recorded by."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify(path: Path) -> None:
    """Runs only the file whose hash was recorded when it was trained."""
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
