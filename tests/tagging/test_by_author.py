"""Leave one author out: who wrote what, no fold ever trains on its own author, and the command."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

import bot.tagging.crossval as crossval
from bot.tagging import fold_files
from bot.tagging.authors import HELD_BACK, dev_author, load_authors
from bot.tagging.blend import Blend, Embedded
from bot.tagging.codes import Codebook
from bot.tagging.crossval import Scored, leave_one_out
from bot.tagging.dataset import Example
from bot.tagging.embedding import ModelUnavailable
from bot.tagging.evaluate import main
from bot.tagging.fold_files import HeldOut, save_held_out
from bot.tagging.inputs import INPUTS
from bot.tagging.probe import Probe
from bot.tagging.tagger import CodeMatch, TagResult

ROWS = [
    ("Only four turned up, the rest were on a trip.", [], ["attendance"]),
    ("They kept a steady beat together and sang in two parts.", ["musical", "social"], []),
    ("Two boys fought over the drum and it took ages to settle them.", [], ["behaviour"]),
    ("Half the class were absent again this week.", [], ["attendance"]),
    ("She played her solo with confidence for the first time.", ["personal", "musical"], []),
]


def write_set(path: Path, ids: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"id": i, "text": t, "outcomes": o, "challenges": c})
        for i, (t, o, c) in zip(ids, ROWS, strict=False)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Four open authors and the held-back one, five entries each."""
    write_set(
        tmp_path / "reflections_dev.jsonl", ["dev-001", "dev-002", "dev-003", "dev-004", "dev-005"]
    )
    with (tmp_path / "reflections_dev.jsonl").open("a", encoding="utf-8") as dev:
        for n, (text, outcomes, challenges) in enumerate(ROWS):
            row = {
                "id": f"unseen-{n}",
                "text": text.upper(),
                "outcomes": outcomes,
                "challenges": challenges,
            }
            dev.write(json.dumps(row) + "\n")
    write_set(tmp_path / "reflections_holdout.jsonl", [f"holdout-{n}" for n in range(5)])
    write_set(tmp_path / "authors" / "author_a.jsonl", [f"a-{n}" for n in range(5)])
    write_set(tmp_path / "authors" / f"{HELD_BACK}.jsonl", [f"c-{n}" for n in range(5)])
    return tmp_path


def test_dev_ids_name_their_author() -> None:
    assert dev_author("dev-001") == dev_author("dev-160") == dev_author("holdout-007") == "dev_1"
    assert dev_author("dev-161") == dev_author("dev-220") == "dev_2"
    assert dev_author("unseen-012") == "dev_3"


def test_authors_are_grouped_by_file_and_id(data_dir: Path) -> None:
    sizes = {author.name: len(author.examples) for author in load_authors(data_dir, True)}
    assert sizes == {"author_a": 5, HELD_BACK: 5, "dev_1": 5, "dev_3": 5, "holdout": 5}


def test_the_held_back_file_is_not_even_read_unless_asked(data_dir: Path) -> None:
    (data_dir / "authors" / f"{HELD_BACK}.jsonl").write_text("not json\n", "utf-8")
    names = [author.name for author in load_authors(data_dir)]
    assert names == ["author_a", "dev_1", "dev_3", "holdout"]
    with pytest.raises(ValueError):
        load_authors(data_dir, held_back=True)


NO_CUES = TagResult({"a": CodeMatch("a", "outcome", False, 0.0, ())})


def scored(author: str, n: int) -> list[Scored]:
    """Entries with random vectors, every other one labelled `a`, ids prefixed by the author."""
    rng = np.random.default_rng(len(author))
    return [
        Scored(
            Example(f"{author}-{i}", "x", frozenset({"a"} if i % 2 else set())),
            NO_CUES,
            Embedded(((0, 1),), rng.normal(size=(1, 4)).astype(np.float32)),
        )
        for i in range(n)
    ]


def test_no_fold_trains_on_the_author_it_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    trained_on: list[list[str]] = []
    real = crossval.train_layer

    def spy(
        training: Sequence[Scored],
        codes: Sequence[str],
        l2: float = crossval.L2,
        metadata: dict[str, object] | None = None,
    ) -> Probe:
        trained_on.append(sorted({s.example.id.split("-")[0] for s in training}))
        return real(training, codes, l2, metadata)

    monkeypatch.setattr(crossval, "train_layer", spy)
    corpus = {name: scored(name, 6) for name in ("dev_1", "holdout", "author_a")}
    fold = leave_one_out(corpus, "holdout", ["a"])
    assert fold.author == "holdout" and fold.entries == 6
    assert trained_on and all("holdout" not in names for names in trained_on)
    assert trained_on[-1] == ["author_a", "dev_1"]
    assert ["dev_1"] in trained_on  # the blend was chosen by leaving author_a out, inside training


def test_by_author_says_plainly_when_the_model_is_missing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing(threads: int = 1) -> None:
        raise ModelUnavailable("install the 'tagger-model' extra")

    monkeypatch.setattr("bot.tagging.by_author.load_embedder", missing)
    assert main(["--by-author", "--data-dir", str(data_dir)]) == 2
    assert "tagger-model" in capsys.readouterr().err


def test_by_author_prints_cues_and_blend_for_each_open_author(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--by-author", "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    for author in ("author_a", "dev_1", "dev_3", "holdout"):
        assert f"  {author:<10}    5" in out
    assert HELD_BACK not in out.split("held back")[1]
    assert "F1 per code, cues → blend" in out and "attendance" in out


def test_the_held_back_author_is_scored_only_when_asked(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--by-author", "--held-back", "--data-dir", str(data_dir)]) == 0
    printed = capsys.readouterr()
    assert f"  {HELD_BACK:<10}    5" in printed.out
    # Progress goes to standard error, one line per fold, the held-back author last.
    assert "Tagging and embedding 25 entries" in printed.err
    assert f"Leaving out {HELD_BACK} (5 of 5)" in printed.err.splitlines()[-1]
    assert "Leaving out" not in printed.out


def test_a_layer_records_its_inputs_and_keeps_the_layout_it_is_given() -> None:
    training = scored("dev_1", 6)
    probe = crossval.train_layer(training, ["a"])
    # Mean (4), peak (4) and the one code's cue confidence.
    assert probe.metadata["inputs"] == list(INPUTS) and probe.weights.shape == (1, 9)
    old = crossval.train_layer(training, ["a"], metadata={"inputs": ["mean"], "l2": 3})
    assert old.weights.shape == (1, 4) and old.metadata["l2"] == 3


def held_out_file(
    folder: Path,
    author: str,
    rows: int,
    seed: int,
    codes: Sequence[str] = ("musical", "attendance"),
) -> None:
    """A fold's held-out probabilities, as `finetune --leave-out` writes them."""
    rng = np.random.default_rng(seed)
    shape = (rows, len(codes))
    gold = (rng.random(shape) < 0.4).astype(float)
    model = np.clip(gold * 0.6 + rng.random(shape) * 0.5, 0, 1)
    cues = rng.random(shape) * 0.6
    save_held_out(
        folder / f"{author}.npz",
        HeldOut(author, tuple(codes), model, cues, (cues > 0.5).astype(float), gold),
    )


def test_fold_files_make_the_table_and_no_author_chooses_its_own_blend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sizes = {"author_a": 7, "author_b": 11, "author_c": 13, "dev_1": 17}
    for seed, (author, rows) in enumerate(sizes.items()):
        held_out_file(tmp_path, author, rows, seed)
    chosen_on: list[int] = []
    real = fold_files.pick_blend

    def spy(model: np.ndarray, *rest: object) -> Blend:
        chosen_on.append(len(model))
        return real(model, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(fold_files, "pick_blend", spy)
    assert all(f.chosen == fold_files.FIXED for f in fold_files.folds_from(tmp_path))
    assert not chosen_on  # the shipped blend needs no choosing
    folds = fold_files.folds_from(tmp_path, per_code=True)
    assert [f.author for f in folds] == list(sizes)
    assert [f.entries for f in folds] == list(sizes.values())
    # Each fold's blend comes from the other unseen authors only (dev_1's cues were tuned on it).
    assert chosen_on == [11 + 13, 7 + 13, 7 + 11, 7 + 11 + 13]
    gold_a = sum(f.blend["musical"].support for f in folds[:1])
    assert gold_a == int(fold_files.load_held_out(tmp_path / "author_a.npz").gold[:, 0].sum())


def test_a_fold_file_keeps_the_best_sentence_and_old_files_still_read(tmp_path: Path) -> None:
    held_out_file(tmp_path, "author_a", 5, 0)
    old = fold_files.load_held_out(tmp_path / "author_a.npz")
    old = fold_files.HeldOut(
        old.author, old.codes, old.model, old.cues, old.cue_applies, old.gold, None
    )
    share = Blend(0.6, 0.4, sentence_share={"musical": 1.0})
    assert np.array_equal(old.model_for(share), old.model)  # no sentences kept: the entry's alone
    best = np.clip(old.model + 0.3, 0, 1)
    new = fold_files.HeldOut(
        old.author, old.codes, old.model, old.cues, old.cue_applies, old.gold, best
    )
    fold_files.save_held_out(tmp_path / "author_b.npz", new)
    again = fold_files.load_held_out(tmp_path / "author_b.npz")
    assert again.best_sentence is not None and np.allclose(again.best_sentence, best)
    mixed = again.model_for(share)
    assert np.allclose(mixed[:, 0], best[:, 0]) and np.allclose(mixed[:, 1], old.model[:, 1])


def test_evaluate_prints_the_fine_tuned_folds(
    tmp_path: Path, codebook: Codebook, capsys: pytest.CaptureFixture[str]
) -> None:
    for seed, author in enumerate(("author_a", "author_b", "author_c")):
        held_out_file(tmp_path, author, 9, seed, codebook.ids)
    assert main(["--by-author", "--folds", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "blended with the cues as shipped" in out
    for author in ("author_a", "author_b", "author_c"):
        assert f"  {author:<10}    9  0.60/0.40" in out
    assert "  unseen       27     pooled" in out
    assert main(["--by-author", "--folds", str(tmp_path), "--per-code"]) == 0
    assert "each code's weight and threshold chosen" in capsys.readouterr().out
    assert main(["--by-author", "--folds", str(tmp_path / "none")]) == 2


def test_recording_the_folds_gives_the_layer_its_unseen_scores(
    tmp_path: Path, codebook: Codebook
) -> None:
    from bot.tagging.by_author import pooled
    from bot.tagging.finetune_record import record_folds
    from bot.tagging.metrics import micro
    from bot.tagging.probe import load_probe, save_probe, train_probe

    folds_dir = tmp_path / "folds"
    for seed, author in enumerate(("author_a", "author_b", "author_c", "dev_1")):
        held_out_file(folds_dir, author, 12, seed, codebook.ids)
    layer = tmp_path / "layer.npz"
    rng = np.random.default_rng(0)
    save_probe(
        train_probe(
            rng.normal(size=(20, 4)), rng.random((20, len(codebook.ids))) < 0.3, codebook.ids
        ),
        layer,
    )
    recorded = record_folds(folds_dir, layer, codebook)
    metadata = load_probe(layer).metadata
    assert metadata["folds"] == ["author_a", "author_b", "author_c", "dev_1"]
    assert metadata["blend"] == fold_files.FIXED.to_metadata()
    unseen = pooled("unseen", fold_files.folds_from(folds_dir)[:3])  # not dev_1: the cues saw it
    expected = round(micro(unseen.blend[c.id] for c in codebook.outcomes).f1, 3)
    assert metadata["scores"] == recorded["scores"] and recorded["scores"]["outcomes"] == expected  # type: ignore[index]
