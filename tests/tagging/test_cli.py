"""`reflectbot tag`: JSON lines in, tags and evidence out, bad lines reported and skipped."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, load_settings
from bot.tagging.cli import add_tag_command, run_tag

REPO = Path(__file__).resolve().parents[2]
GOOD = {"id": "a1", "text": "Only three turned up. The ones who came kept a steady pulse."}
QUIET = {"id": 7, "text": "Nothing much to report."}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(_env_file=None, data_dir=tmp_path / "data")


def write_lines(path: Path, *lines: object) -> Path:
    rendered = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(rendered) + "\n", encoding="utf-8")
    return path


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_tag_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["tag", *argv])


def test_tags_each_line_to_standard_output(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_lines(tmp_path / "in.jsonl", GOOD, "", QUIET)
    args = parse(str(source), "--cues-only")  # the cues' exact spans; the model has its own test
    assert args.handler is run_tag
    assert run_tag(args, settings) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["id"] == "a1"
    assert first["outcomes"] == ["musical"]
    assert first["challenges"] == ["attendance"]
    assert set(first["evidence"]) == {"musical", "attendance"}
    spans = [GOOD["text"][start:end] for start, end in first["evidence"]["musical"]]
    assert spans == ["pulse"]
    assert second == {"id": 7, "outcomes": [], "challenges": [], "evidence": {}}


def test_bad_lines_are_reported_with_their_number_and_skipped(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_lines(tmp_path / "in.jsonl", GOOD, "{not json", {"id": 3}, ["a"], QUIET)
    assert run_tag(parse(str(source)), settings) == 1
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["a1", 7]
    assert f"{source}:2: not valid JSON" in captured.err
    assert f"{source}:3: missing text" in captured.err
    assert f"{source}:4: expected an object" in captured.err


def test_out_writes_a_file(tmp_path: Path, settings: Settings) -> None:
    source = write_lines(tmp_path / "in.jsonl", GOOD, QUIET)
    target = tmp_path / "out.jsonl"
    assert run_tag(parse(str(source), "--out", str(target)), settings) == 0
    lines = target.read_text("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a1", 7]


def test_prompts_dir_chooses_the_codebook(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "codebook.yaml").write_text("codes: []\n")
    source = write_lines(tmp_path / "in.jsonl", GOOD)
    assert run_tag(parse(str(source), "--prompts-dir", str(tmp_path)), settings) == 2
    assert "Codebook problem" in capsys.readouterr().err


def test_missing_input_file(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_tag(parse(str(tmp_path / "nope.jsonl")), settings) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_through_the_reflectbot_command_line(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", GOOD, "oops")
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tag", str(source)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["challenges"] == ["attendance"]
    assert ":2: not valid JSON" in done.stderr
