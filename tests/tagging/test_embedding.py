"""The vendored tokenizer and the optional int8 ONNX model agree, and their vectors make sense."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from bot.tagging.embedding import (
    DIMENSION,
    MAX_TOKENS,
    TOKENIZER_FILE,
    Embedder,
    ModelUnavailable,
    load_embedder,
    model_file,
    verify,
)

TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def test_the_vendored_tokenizer_is_the_upstream_file() -> None:
    assert hashlib.sha256(TOKENIZER_FILE.read_bytes()).hexdigest() == TOKENIZER_SHA256
    data = json.loads(TOKENIZER_FILE.read_text("utf-8"))
    assert data["model"]["type"] == "WordPiece"
    assert len(data["model"]["vocab"]) == 30522
    assert data["normalizer"]["lowercase"] is True
    assert data["model"]["vocab"]["[CLS]"] == 101 and data["model"]["vocab"]["[SEP]"] == 102


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def test_model_inputs_and_output(embedder: Embedder) -> None:
    session = embedder._session  # the model's declared interface, checked once here
    assert [i.name for i in session.get_inputs()] == [
        "input_ids",
        "attention_mask",
        "token_type_ids",
    ]
    assert session.get_outputs()[0].shape[-1] == DIMENSION


def test_vectors_are_unit_length_and_batching_changes_nothing(embedder: Embedder) -> None:
    texts = ["Two were absent.", "We sang a round in three parts and it held together.", "ok"]
    together = embedder.embed(texts)
    apart = np.vstack([embedder.embed([text]) for text in texts])
    assert together.shape == (3, DIMENSION)
    assert np.linalg.norm(together, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert together == pytest.approx(apart, abs=1e-5)
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_paraphrases_are_closer_than_unrelated_sentences(embedder: Embedder) -> None:
    a, b, c, d = embedder.embed(
        [
            "Only five of the twelve children turned up today.",
            "Attendance was poor, most of the pupils were absent.",
            "The keyboards in the music room are broken.",
            "Several instruments were damaged and could not be played.",
        ]
    )
    assert a @ b > a @ c + 0.2
    assert c @ d > c @ b + 0.2


def test_long_text_is_truncated_not_refused(embedder: Embedder) -> None:
    long = "music " * (MAX_TOKENS * 3)
    assert np.isfinite(embedder.embed([long])).all()


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    verify(model_file())
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(ModelUnavailable):
        verify(fake)


def test_one_pass_gives_the_entry_and_each_sentence_in_context(embedder: Embedder) -> None:
    text = "Only five of the twelve turned up. The keyboards are broken again."
    spans = ((0, 34), (35, len(text)))
    entry, sentences = embedder.embed_entry(text, spans)
    assert entry.shape == (DIMENSION,) and sentences.shape == (2, DIMENSION)
    # Each sentence's own tokens, read beside the other sentence, not the same as alone.
    alone = embedder.embed([text[a:b] for a, b in spans])
    unit = sentences / np.linalg.norm(sentences, axis=1, keepdims=True)
    # Each span reads its own tokens: pairing each sentence with itself alone beats the swap (a
    # fine-tuned encoder mixes both sentences into every token, so one pair alone may not show it).
    matched = float(unit[0] @ alone[0]) + float(unit[1] @ alone[1])
    swapped = float(unit[0] @ alone[1]) + float(unit[1] @ alone[0])
    assert matched > swapped + 0.01
    assert not np.allclose(sentences[0], sentences[1])
    assert not np.allclose(entry, sentences[0])


def test_a_sentence_past_the_models_limit_gets_no_vector(embedder: Embedder) -> None:
    text = "music " * (MAX_TOKENS + 20) + "The end."
    entry, sentences = embedder.embed_entry(text, ((0, 10), (len(text) - 8, len(text))))
    assert np.isfinite(entry).all() and np.abs(sentences[0]).sum() > 0
    assert not sentences[1].any()
