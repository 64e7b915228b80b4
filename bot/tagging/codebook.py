"""The tag codebook: which codes exist and how to spot them, read from `prompts/codebook.yaml`."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.datafile import load_model
from bot.tagging.codebook_yaml import CodebookFile, build_codebook
from bot.tagging.codes import (
    CONTRACT_CODES,
    KINDS,
    Code,
    Codebook,
    CodebookError,
    Cue,
    Language,
)
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

__all__ = [
    "CODEBOOK_FILE",
    "CONTRACT_CODES",
    "KINDS",
    "Code",
    "Codebook",
    "CodebookError",
    "Cue",
    "Language",
    "load_codebook",
]

CODEBOOK_FILE = "codebook.yaml"


def load_codebook(prompts_dir: Path | None = None) -> Codebook:
    """Reads and checks the codebook once at start-up, so a bad edit stops the bot with a clear line."""
    path = (prompts_dir or PROMPTS_DIR) / CODEBOOK_FILE
    codebook = build_codebook(load_model(path, CodebookFile, error=CodebookError), path)
    logger.info("Loaded %d codes from %s", len(codebook.codes), path)
    return codebook
