"""`reflectbot tag FILE.jsonl`: tags a batch of reflections offline, one JSON line in, one out."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from bot.settings import Settings
from bot.tagging.codebook import CodebookError, load_codebook
from bot.tagging.model_tagger import load_tagger
from bot.tagging.tagger import Tagger, TagResult

logger = logging.getLogger(__name__)


class BadLine(ValueError):
    """A line that can't be tagged; reported with its number and skipped."""


def add_tag_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers `tag` on the main command line."""
    parser = subparsers.add_parser(
        "tag",
        help="tag reflections in a JSON lines file",
        description='Reads lines of {"id", "text"} and writes the tags the tagger suggests.',
    )
    parser.add_argument("file", type=Path, help="JSON lines, each with id and text")
    parser.add_argument("--out", type=Path, help="write here instead of to standard output")
    parser.add_argument(
        "--prompts-dir", type=Path, help="folder holding codebook.yaml (default: the bundled one)"
    )
    parser.add_argument(
        "--cues-only",
        action="store_true",
        help="ignore the language model even when it is installed",
    )
    parser.set_defaults(handler=run_tag)


def run_tag(args: argparse.Namespace, settings: Settings) -> int:
    """0 when every line was tagged, 1 when some were skipped, 2 when nothing could start."""
    try:
        codebook = load_codebook(args.prompts_dir)
        tagger = Tagger(codebook) if args.cues_only else load_tagger(codebook)
        lines = args.file.read_text(encoding="utf-8").splitlines()
    except CodebookError as error:
        print(f"Codebook problem: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    with _output(args.out) as out:
        bad = _tag_lines(lines, tagger, out, args)
    return 1 if bad else 0


def _tag_lines(lines: list[str], tagger: Tagger, out: TextIO, args: argparse.Namespace) -> int:
    bad = 0
    progress = tqdm(lines, unit="entry", file=sys.stderr, disable=args.out is None, leave=False)
    for number, line in enumerate(progress, 1):
        if not line.strip():
            continue
        try:
            entry_id, text = parse_line(line)
        except BadLine as error:
            tqdm.write(f"{args.file}:{number}: {error}; skipped", file=sys.stderr)
            bad += 1
            continue
        out.write(json.dumps(tagged_record(entry_id, tagger.tag(text)), ensure_ascii=False) + "\n")
    return bad


def parse_line(line: str) -> tuple[object, str]:
    """The entry's id (kept as given) and its text."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"not valid JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise BadLine("expected an object with id and text")
    text = data.get("text")
    if not isinstance(text, str):
        raise BadLine("missing text")
    return data.get("id"), text


def tagged_record(entry_id: object, result: TagResult) -> dict[str, object]:
    """The output line: applied codes by kind, and the character spans that suggested each."""
    return {
        "id": entry_id,
        "outcomes": list(result.outcomes),
        "challenges": list(result.challenges),
        "evidence": {
            code: [list(span) for span in match.evidence]
            for code, match in result.codes.items()
            if match.applies
        },
    }


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8") as handle:
        yield handle
