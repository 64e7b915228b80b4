"""Fine-tuning: the head learns, the int8 file runs as the torch model does, and scoring works.

A one-layer BERT of the real width, randomly initialised, stands in for all-MiniLM-L6-v2, whose
weights are not a dependency; everything else (training, export, the bot's own tagger reading
the files) is the code that made the shipped model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("onnx")

from bot.tagging.authors import HELD_BACK, Author, load_authors  # noqa: E402
from bot.tagging.blend import model_probabilities  # noqa: E402
from bot.tagging.codes import Codebook  # noqa: E402
from bot.tagging.embedding import DIMENSION, Embedder  # noqa: E402
from bot.tagging.finetune import main, train_and_write  # noqa: E402
from bot.tagging.finetune_data import rows_of  # noqa: E402
from bot.tagging.finetune_model import EntryHead, load_encoder  # noqa: E402
from bot.tagging.finetune_score import score_author  # noqa: E402
from bot.tagging.finetune_train import fine_tune, probabilities  # noqa: E402
from bot.tagging.fold_files import folds_from, load_held_out  # noqa: E402
from bot.tagging.metrics import micro  # noqa: E402
from bot.tagging.model_tagger import ModelTagger, embed_text  # noqa: E402
from bot.tagging.probe import load_probe  # noqa: E402

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small BERT saved as the upstream files are: config.json and model.safetensors."""
    from safetensors.torch import save_file

    folder = tmp_path_factory.mktemp("weights")
    config = transformers.BertConfig(
        hidden_size=DIMENSION, num_hidden_layers=1, num_attention_heads=4, intermediate_size=256
    )
    torch.manual_seed(1)
    model = transformers.BertModel(config, add_pooling_layer=False)
    config.save_pretrained(folder)
    save_file(
        {k: v.contiguous() for k, v in model.state_dict().items()}, folder / "model.safetensors"
    )
    return folder


@pytest.fixture(scope="module")
def few() -> list[Author]:
    """Three small authors: two to train on, one to leave out."""
    authors = {author.name: author for author in load_authors()}
    return [
        Author(name, authors[name].examples[:24]) for name in ("author_a", "author_b", "author_c")
    ]


def test_training_lowers_the_loss_and_moves_towards_the_labels(
    weights: Path, few: list[Author], codebook: Codebook
) -> None:
    codes = list(codebook.ids)
    rows = rows_of([e for a in few[:2] for e in a.examples], codes)
    torch.manual_seed(0)
    model = EntryHead(load_encoder(weights), len(codes))
    losses: list[float] = []
    fine_tune(model, rows, 4, lambda epoch, epochs, loss: losses.append(loss))
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0]
    gold = np.stack([row.labels for row in rows])
    found = probabilities(model, rows)
    assert found[gold == 1].mean() > found[gold == 0].mean() + 0.1


def test_the_written_files_run_in_the_bot_as_the_torch_model_did(
    weights: Path, few: list[Author], codebook: Codebook, tmp_path: Path
) -> None:
    model = train_and_write(weights, few[:2], codebook, tmp_path, epochs=2)
    probe = load_probe(tmp_path / "layer.npz")
    assert probe.metadata["trained_on"] == {"author_a": 24, "author_b": 24}
    assert probe.metadata["blend"]["weight"] == 0.6
    onnx = pytest.importorskip("onnx")
    inside = {p.key: p.value for p in onnx.load(str(tmp_path / "encoder.onnx")).metadata_props}
    assert json.loads(inside["reflectbot"])["trained_on"] == probe.metadata["trained_on"]
    # Quantised to int8: about a quarter of the float weights' size.
    assert (tmp_path / "encoder.onnx").stat().st_size < 0.4 * (
        weights / "model.safetensors"
    ).stat().st_size

    tagger = ModelTagger(codebook, Embedder(tmp_path / "encoder.onnx"), probe)
    examples = few[2].examples[:6]
    from_files = np.array(
        [
            model_probabilities(tagger.cues(e.text), embed_text(tagger.embedder, e.text), probe)
            for e in examples
        ]
    )
    in_torch = probabilities(model, rows_of(examples, list(codebook.ids)))
    assert from_files.shape == in_torch.shape == (6, len(codebook.ids))
    assert np.abs(from_files - in_torch).max() < 0.03
    assert in_torch.std() > 0.01  # the layer reads the text, not a constant


def test_an_author_left_out_is_scored_by_the_bot_itself(
    weights: Path, few: list[Author], codebook: Codebook, tmp_path: Path
) -> None:
    train_and_write(weights, few[:2], codebook, tmp_path, epochs=1)
    result = score_author(few[2], codebook, tmp_path)
    assert result["author"] == "author_c" and result["entries"] == 24
    for name in ("cues", "tagger"):
        scores = result[name]
        assert isinstance(scores, dict) and set(scores) == {"outcomes", "challenges"}
        assert all(0.0 <= value <= 1.0 for value in scores.values())
    held = load_held_out(tmp_path / "held-out" / "author_c.npz")
    assert held.model.shape == held.gold.shape == (24, len(codebook.ids))
    assert held.author == "author_c"
    (fold,) = folds_from(tmp_path / "held-out")
    tagger_scores = result["tagger"]
    assert isinstance(tagger_scores, dict)
    outcomes = micro(fold.blend[c.id] for c in codebook.outcomes).f1
    assert round(outcomes, 3) == tagger_scores["outcomes"]  # the file holds what was scored


def test_the_held_back_author_and_the_shipped_files_are_protected(
    weights: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([str(weights), "--leave-out", HELD_BACK, "--out", "/tmp/unused"])
    assert "not an open author" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(weights), "--leave-out", "author_a"])
    assert "needs --out" in capsys.readouterr().err


def test_several_authors_left_out_at_once_are_each_scored(
    weights: Path,
    few: list[Author],
    codebook: Codebook,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = tmp_path / "data"
    (data / "authors").mkdir(parents=True)
    for author in few:
        lines = [
            json.dumps({"id": e.id, "text": e.text, **_lists(e.codes, codebook)})
            for e in author.examples
        ]
        (data / "authors" / f"{author.name}.jsonl").write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    arguments = ["--leave-out", "author_b", "--leave-out", "author_c", "--epochs", "1"]
    main([str(weights), *arguments, "--out", str(out), "--data-dir", str(data)])
    scored = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [s["author"] for s in scored] == ["author_b", "author_c"]
    assert sorted(p.stem for p in (out / "held-out").glob("*.npz")) == ["author_b", "author_c"]
    assert load_probe(out / "layer.npz").metadata["trained_on"] == {"author_a": 24}


def _lists(codes: frozenset[str], codebook: Codebook) -> dict[str, list[str]]:
    """An example's codes split back into the two lists a labelled file holds."""
    outcomes = {code.id for code in codebook.outcomes}
    return {"outcomes": sorted(codes & outcomes), "challenges": sorted(codes - outcomes)}
