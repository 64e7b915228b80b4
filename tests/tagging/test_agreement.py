"""Two coders' labels compared, as the README's agreement figures were measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.tagging.agreement import main
from bot.tagging.dataset import DATA_DIR


def write(path: Path, rows: list[tuple[str, list[str], list[str]]]) -> Path:
    lines = [json.dumps({"id": i, "outcomes": o, "challenges": c}) for i, o, c in rows]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def test_one_disagreement_is_counted_against_the_first_coder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "a.jsonl", [("1", ["musical"], ["behaviour"]), ("2", ["social"], [])])
    second = write(tmp_path / "b.jsonl", [("2", ["social"], []), ("1", ["musical"], [])])
    assert main([str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "2 entries coded by both" in out
    assert "outcomes          micro-F1 1.000" in out
    assert "challenges        micro-F1 0.000" in out  # the only challenge was missed
    assert "planning          F1   — (no entries)" in out


def test_files_about_different_entries_get_a_plain_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write(tmp_path / "a.jsonl", [("1", [], []), ("2", [], [])])
    second = write(tmp_path / "b.jsonl", [("1", [], [])])
    assert main([str(first), str(second)]) == 2
    assert "code different entries, e.g. 2" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("author", "outcomes", "challenges"), [("a", 0.983, 0.994), ("e", 0.982, 0.959)]
)
def test_the_second_coders_agreement_is_as_documented(
    author: str, outcomes: float, challenges: float, capsys: pytest.CaptureFixture[str]
) -> None:
    first = DATA_DIR / "authors" / f"author_{author}.jsonl"
    assert main([str(first), str(DATA_DIR / "second_coder" / f"author_{author}.jsonl")]) == 0
    out = capsys.readouterr().out
    assert f"outcomes          micro-F1 {outcomes:.3f}" in out
    assert f"challenges        micro-F1 {challenges:.3f}" in out
