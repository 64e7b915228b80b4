"""Data, not code: the codebook, prompt sets and message wording live beside this file."""

from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent
