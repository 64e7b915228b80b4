"""Fixtures for the tagger: the bundled codebook, and a way to write one of your own."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.tagging.codebook import CODEBOOK_FILE, CONTRACT_CODES, Codebook, load_codebook
from bot.tagging.tagger import Tagger
from prompts import PROMPTS_DIR

WriteCodebook = Callable[[dict[str, Any]], Path]


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return load_codebook()


@pytest.fixture(scope="session")
def tagger(codebook: Codebook) -> Tagger:
    return Tagger(codebook)


def minimal_codebook() -> dict[str, Any]:
    """The smallest valid codebook: every contract code, each with one cue named after it."""
    return {
        "language": {"negators": ["not", "never"], "problem_words": ["problem*"]},
        "codes": [
            {
                "id": code_id,
                "kind": kind.value,
                "label": code_id.title(),
                "description": f"About {code_id}.",
                "cues": [code_id.replace("_", " ")],
            }
            for code_id, kind in CONTRACT_CODES.items()
        ],
    }


@pytest.fixture
def write_codebook(tmp_path: Path) -> WriteCodebook:
    """Writes the given data as codebook.yaml in a fresh prompts folder and returns the folder."""

    def write(data: dict[str, Any]) -> Path:
        folder = tmp_path / "prompts"
        folder.mkdir(exist_ok=True)
        (folder / CODEBOOK_FILE).write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
        return folder

    return write


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    """A copy of the bundled prompts folder that a test may edit."""
    folder = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return folder
