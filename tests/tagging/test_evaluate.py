"""The numbers the tagger is judged on are computed correctly and printed plainly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tagging.evaluate import evaluate, main
from bot.tagging.metrics import Counts, count_code, micro
from bot.tagging.tagger import Tagger


def test_counts_give_precision_recall_and_f1() -> None:
    counts = Counts(tp=6, fp=2, fn=4)
    assert counts.precision == pytest.approx(0.75)
    assert counts.recall == pytest.approx(0.6)
    assert counts.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert counts.support == 10


def test_empty_counts_do_not_divide_by_zero() -> None:
    assert Counts().f1 == 1.0
    assert Counts(fp=3).precision == 0.0
    assert Counts(fp=3).f1 == 0.0


def test_count_code_and_micro_average() -> None:
    pairs = [({"a", "b"}, {"a"}), ({"b"}, {"a", "b"}), (set(), set())]
    a, b = count_code("a", pairs), count_code("b", pairs)
    assert a == Counts(tp=1, fp=1, fn=0)
    assert b == Counts(tp=1, fp=0, fn=1)
    assert micro([a, b]) == Counts(tp=2, fp=1, fn=1)


def write_labelled(path: Path) -> Path:
    rows = [
        {"id": "1", "text": "They were bored stiff.", "outcomes": [], "challenges": ["engagement"]},
        {"id": "2", "text": "Lovely harmonies.", "outcomes": ["musical"], "challenges": []},
        {"id": "3", "text": "Nothing to report.", "outcomes": ["social"], "challenges": []},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


def test_evaluate_scores_a_labelled_file(tmp_path: Path, tagger: Tagger) -> None:
    report = evaluate(write_labelled(tmp_path / "set.jsonl"), tagger)
    assert report.entries == 3
    assert report.per_code["engagement"] == Counts(tp=1)
    assert report.outcomes == Counts(tp=1, fn=1)
    assert report.overall == Counts(tp=2, fn=1)
    assert len(report.errors) == 1 and report.errors[0].startswith("3: missed ['social']")


def test_main_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(write_labelled(tmp_path / "set.jsonl")), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "set.jsonl: 3 entries" in out and "ms per entry" in out
    assert "micro outcomes      1.000  0.500  0.667    2" in out
    assert "micro challenges    1.000  1.000  1.000    1" in out
    assert "3: missed ['social']" in out


def test_main_skips_a_missing_default_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.tagging.evaluate.DEV_SET", write_labelled(tmp_path / "dev.jsonl"))
    monkeypatch.setattr("bot.tagging.evaluate.HOLDOUT_SET", tmp_path / "holdout.jsonl")
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "dev.jsonl: 3 entries" in out
    assert "holdout.jsonl: not there yet; skipped" in out


def test_main_with_the_model_scores_what_the_bot_would_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.tagging.codebook import load_codebook
    from bot.tagging.model_tagger import load_tagger

    labelled = write_labelled(tmp_path / "set.jsonl")
    assert main([str(labelled), "--model"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tagger: the cues with the language model (all-MiniLM-L6-v2 fine-tuned")
    shipped = evaluate(labelled, load_tagger(load_codebook(None)))
    assert f"micro overall     {_cells(shipped.overall)}" in out


def _cells(counts: Counts) -> str:
    return f"{counts.precision:>7.3f}{counts.recall:>7.3f}{counts.f1:>7.3f}{counts.support:>5}"
