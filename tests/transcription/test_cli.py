"""`reflectbot transcribe`: JSON or plain output, and a bad file never stops the others."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.transcription.cli import add_transcribe_command, run_transcribe
from tests.speech import SpeechClip, word_error_rate

pytestmark = pytest.mark.slow


@pytest.fixture
def broken_note(tmp_path: Path) -> Path:
    path = tmp_path / "broken.ogg"
    path.write_text("not audio")
    return path


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_transcribe_command(parser.add_subparsers())
    return parser.parse_args(["transcribe", *argv])


def test_json_has_one_object_per_file_and_a_bad_file_fails_the_run(
    settings: Settings,
    voice_notes: list[SpeechClip],
    broken_note: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = voice_notes[:2]
    args = parse(str(first.path), str(broken_note), str(second.path), "--json", "--profile", "fast")

    code = run_transcribe(args, settings)

    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [record["file"] for record in records] == [
        str(first.path),
        str(broken_note),
        str(second.path),
    ]
    good = [records[0], records[2]]
    for record, note in zip(good, (first, second), strict=True):
        assert set(record) == {"file", "text", "duration_s", "seconds", "backend", "model"}
        assert record["backend"] == "faster-whisper"
        assert record["model"] == "tiny.en"
        assert word_error_rate(note.script, record["text"]) < 0.4
    assert "FFmpeg" in records[1]["error"]
    assert f"{broken_note}: not transcribed" in err


def test_plain_output_puts_the_text_under_the_file_name(
    settings: Settings, voice_note: SpeechClip, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_transcribe(parse(str(voice_note.path)), settings)

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0] == str(voice_note.path)
    assert "ukulele" in lines[1].lower()


def test_flags_override_the_settings(
    settings: Settings, voice_note: SpeechClip, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("whisper", reason="needs the extra: reflectbot[openai-whisper]")
    args = parse(str(voice_note.path), "--profile", "fast", "--backend", "openai-whisper", "--json")

    assert run_transcribe(args, settings) == 0

    record = json.loads(capsys.readouterr().out)
    assert record["backend"] == "openai-whisper"
    assert (settings.data_dir / "models" / "openai-whisper-tiny.en.pt").is_file()


def test_a_model_that_cannot_load_exits_2(
    settings: Settings, voice_note: SpeechClip, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse(str(voice_note.path), "--model", str(tmp_path / "no-model-here"))

    assert run_transcribe(args, settings) == 2
    assert "Cannot load the model" in capsys.readouterr().err


def test_the_real_command_line(voice_note: SpeechClip, broken_note: Path, tmp_path: Path) -> None:
    """`python -m bot transcribe --json`, as an operator would run it."""
    try:
        from bot.cli import build_parser

        build_parser()
    except ImportError as error:
        pytest.skip(f"the full CLI is not assembled yet: {error}")
    env = os.environ | {"DATA_DIR": str(tmp_path / "data")}  # the default profile
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "transcribe",
            "--json",
            str(voice_note.path),
            str(broken_note),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )

    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1, result.stderr
    assert word_error_rate(voice_note.script, records[0]["text"]) < 0.4
    assert "error" in records[1]
    assert records[0]["backend"] == "moonshine"


@pytest.mark.parametrize(
    ("profile", "backend", "model"),
    [("fast", "faster-whisper", "tiny.en"), ("accurate", "moonshine", "base-en")],
)
def test_profile_flag_picks_the_model(
    settings: Settings,
    voice_note: SpeechClip,
    capsys: pytest.CaptureFixture[str],
    profile: str,
    backend: str,
    model: str,
) -> None:
    assert (
        run_transcribe(parse("--profile", profile, "--json", str(voice_note.path)), settings) == 0
    )

    record = json.loads(capsys.readouterr().out)
    assert (record["backend"], record["model"]) == (backend, model)
    assert set(record) >= {"file", "text"}
    assert word_error_rate(voice_note.script, record["text"]) < 0.4


def test_a_backend_that_cannot_run_the_profile_is_explained(
    settings: Settings, voice_note: SpeechClip, capsys: pytest.CaptureFixture[str]
) -> None:
    args = parse("--profile", "accurate", "--backend", "openai-whisper", str(voice_note.path))

    assert run_transcribe(args, settings) == 2
    assert "TRANSCRIPTION_PROFILE=accurate for moonshine" in capsys.readouterr().err
