"""`reflectbot transcribe FILE...`: try the local model on recordings, no bot needed."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from bot.settings import Settings, SettingsError
from bot.transcription.backends import BACKENDS, create_transcriber
from bot.transcription.base import Transcriber, Transcript
from bot.transcription.config import TranscriberConfig, config_from_settings
from bot.transcription.errors import AudioError, ModelUnavailable
from bot.transcription.profiles import PROFILE_NAMES

logger = logging.getLogger(__name__)


def add_transcribe_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    """Registers the subcommand; the settings decide the model unless a flag overrides them."""
    parser = subparsers.add_parser(
        "transcribe",
        help="transcribe audio files with the local Whisper model",
        description="Transcribe voice notes (OGG/Opus, mp3, m4a, wav...) on this machine.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument(
        "--profile",
        choices=PROFILE_NAMES,
        help="fast, balanced or accurate (default: TRANSCRIPTION_PROFILE)",
    )
    parser.add_argument("--backend", choices=sorted(BACKENDS), help="overrides TRANSCRIBER")
    parser.add_argument("--model", help="overrides WHISPER_MODEL: a model name or a local path")
    parser.add_argument("--language", help="a language code, or 'auto' to detect it")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")
    parser.set_defaults(handler=run_transcribe)


def run_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    """Every file gets its turn; the exit code is 1 if any failed, 2 if the model would not load."""
    try:
        transcriber = create_transcriber(_config(args, settings))
        transcriber.load()
    except (ModelUnavailable, SettingsError) as error:
        print(f"Cannot load the model: {error}", file=sys.stderr)
        return 2
    files: list[Path] = args.files
    failures = sum(
        not _transcribe_one(transcriber, path, as_json=args.json) for path in _progress(files)
    )
    return 1 if failures else 0


def _config(args: argparse.Namespace, settings: Settings) -> TranscriberConfig:
    """Flags stand in for their settings, so the same checks apply to both."""
    flags = {
        "transcription_profile": args.profile,
        "transcriber": args.backend,
        "whisper_model": args.model,
        "whisper_language": args.language,
    }
    chosen = settings.model_copy(update={key: value for key, value in flags.items() if value})
    # Files are transcribed one after another here.
    return replace(config_from_settings(chosen), num_workers=1)


def _progress(files: list[Path]) -> tqdm[Path]:
    """The bar goes to stderr, so `--json` output on stdout stays clean for pipes."""
    return tqdm(files, desc="Transcribing", unit="file", file=sys.stderr, disable=None)


def _transcribe_one(transcriber: Transcriber, path: Path, *, as_json: bool) -> bool:
    try:
        transcript = transcriber.transcribe(path)
    except AudioError as error:
        _emit(_error_json(path, error) if as_json else None)
        tqdm.write(f"{path}: not transcribed: {error.reason}", file=sys.stderr)
        return False
    _emit(_json(path, transcript) if as_json else f"{path}\n  {transcript.text or '(no speech)'}")
    return True


def _json(path: Path, transcript: Transcript) -> str:
    return json.dumps(
        {
            "file": str(path),
            "text": transcript.text,
            "duration_s": round(transcript.duration_s, 3),
            "seconds": round(transcript.seconds, 3),
            "backend": transcript.backend,
            "model": transcript.model,
        }
    )


def _error_json(path: Path, error: AudioError) -> str:
    return json.dumps({"file": str(path), "error": error.reason, "message": error.friendly})


def _emit(line: str | None) -> None:
    if line is not None:
        tqdm.write(line, file=sys.stdout)
