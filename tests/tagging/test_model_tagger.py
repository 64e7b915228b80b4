"""The model-backed tagger keeps the Tagger API, and the cues alone stand in when it can't load."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

from bot.tagging.authors import HELD_BACK
from bot.tagging.codes import Codebook
from bot.tagging.embedding import MODEL_SHA256, ModelUnavailable
from bot.tagging.fold_files import FIXED
from bot.tagging.model_tagger import LAYER_FILE, ModelTagger, blend_from, load_tagger
from bot.tagging.probe import save_probe, train_probe
from bot.tagging.tagger import Tagger, TagResult


def write_layer(path: Path, codebook: Codebook) -> Path:
    """A layer on random features: enough to exercise the blend, not to tag well."""
    rng = np.random.default_rng(0)
    labels = rng.random((40, len(codebook.ids))) < 0.3
    probe = train_probe(
        rng.normal(size=(40, 384)),
        labels,
        codebook.ids,
        metadata={"blend": {"weight": 0.5, "threshold": 0.4}},
    )
    save_probe(probe, path)
    return path


def test_without_a_layer_file_the_cues_tag_alone(codebook: Codebook, tmp_path: Path) -> None:
    tagger = load_tagger(codebook, tmp_path / "missing.npz")
    assert type(tagger) is Tagger


def test_without_the_model_package_the_cues_tag_alone(
    codebook: Codebook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(threads: int = 1) -> None:
        raise ModelUnavailable("not installed")

    monkeypatch.setattr("bot.tagging.model_tagger.load_embedder", missing)
    assert type(load_tagger(codebook, write_layer(tmp_path / "layer.npz", codebook))) is Tagger


def test_with_model_and_layer_the_results_keep_their_shape(
    codebook: Codebook, tmp_path: Path
) -> None:
    tagger = load_tagger(codebook, write_layer(tmp_path / "layer.npz", codebook))
    assert isinstance(tagger, ModelTagger)
    text = "Only three turned up. The ones who came kept a steady pulse."
    result = tagger.tag(text)
    assert isinstance(result, TagResult)
    assert list(result.codes) == list(codebook.ids)
    for match in result.codes.values():
        assert 0.0 <= match.confidence <= 1.0
        assert all(0 <= a < b <= len(text) for a, b in match.evidence)
        assert not match.applies or match.evidence
    assert tagger.tag("") == Tagger(codebook).tag("")


def test_the_committed_layer_knows_every_contract_code(codebook: Codebook) -> None:
    if not LAYER_FILE.exists():
        pytest.skip("no trained layer committed: the cues tag alone")
    from bot.tagging.probe import load_probe

    probe = load_probe(LAYER_FILE)
    assert set(probe.codes) >= {"personal", "social", "musical", "attendance", "tutor_support"}
    # Trained while an earlier author was held back, and never on the one held back now.
    assert probe.metadata["held_back"] not in probe.metadata["trained_on"]  # type: ignore[operator]
    assert HELD_BACK not in probe.metadata["trained_on"]  # type: ignore[operator]
    assert blend_from(probe.metadata) == FIXED
    scores = probe.metadata["scores"]  # what `reflectbot tagger status` shows for it
    assert set(scores) == {"outcomes", "challenges"}  # type: ignore[arg-type]
    assert all(0.5 < score < 1.0 for score in scores.values())  # type: ignore[union-attr]
    assert HELD_BACK not in probe.metadata["folds"]  # type: ignore[operator]
    assert probe.metadata["model_sha256"] == MODEL_SHA256  # the layer was trained with this encoder
    assert probe.metadata["inputs"] == ["entry"] and probe.weights.shape == (len(probe.codes), 384)


def test_reflectbot_tag_keeps_its_output_contract_with_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not LAYER_FILE.exists():
        pytest.skip("no trained layer committed")
    from bot.settings import load_settings
    from bot.tagging.cli import run_tag

    text = "Only three turned up. Nobody from the school told me about the trip."
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "x", "text": text}) + "\n", "utf-8")
    args = argparse.Namespace(file=source, out=None, prompts_dir=None, cues_only=False)
    assert run_tag(args, load_settings(_env_file=None, data_dir=tmp_path / "data")) == 0
    record = json.loads(capsys.readouterr().out)
    assert set(record) == {"id", "outcomes", "challenges", "evidence"}
    assert set(record["evidence"]) == {*record["outcomes"], *record["challenges"]}
    assert "attendance" in record["challenges"]
    for spans in record["evidence"].values():
        assert spans and all(0 <= a < b <= len(text) for a, b in spans)
