"""Reads labelled reflections (JSON lines) for evaluation and the regression test."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "tests" / "data"
DEV_SET = DATA_DIR / "reflections_dev.jsonl"
HOLDOUT_SET = DATA_DIR / "reflections_holdout.jsonl"


@dataclass(frozen=True)
class Example:
    """One reflection with the codes a person gave it."""

    id: str
    text: str
    codes: frozenset[str]


def load_examples(path: Path) -> list[Example]:
    """Every line must be valid: a labelled set with a broken line is a bug, not input to skip."""
    examples = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            examples.append(_example(json.loads(line), f"{path}:{number}"))
    return examples


def _example(data: dict[str, object], where: str) -> Example:
    text, outcomes, challenges = data.get("text"), data.get("outcomes"), data.get("challenges")
    if (
        not isinstance(text, str)
        or not isinstance(outcomes, list)
        or not isinstance(challenges, list)
    ):
        raise ValueError(f"{where}: needs text, outcomes and challenges")
    return Example(str(data.get("id", where)), text, frozenset(map(str, [*outcomes, *challenges])))
