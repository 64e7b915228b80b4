"""The meeting question a digest ends with, from `prompts/digest_questions.yaml`."""

from __future__ import annotations

from pathlib import Path

from pydantic import RootModel

from bot.datafile import load_model
from bot.tagging.codes import Codebook
from prompts import PROMPTS_DIR

QUESTIONS_FILE = "digest_questions.yaml"


class DigestQuestionsError(Exception):
    """The questions file is unusable; the message names the file and what is missing."""


class DigestQuestions:
    """A question per challenge id, and a general one for a quiet week."""

    def __init__(self, by_challenge: dict[str, str]) -> None:
        self._by_challenge = by_challenge

    def for_challenge(self, challenge: str | None) -> str:
        return self._by_challenge.get(challenge or "general", self._by_challenge["general"])


def load_digest_questions(codebook: Codebook, prompts_dir: Path | None = None) -> DigestQuestions:
    """Every challenge in the codebook must have its question, checked before the bot starts."""
    path = (prompts_dir or PROMPTS_DIR) / QUESTIONS_FILE
    model = load_model(path, RootModel[dict[str, str]], error=DigestQuestionsError)
    questions = {key: " ".join(value.split()) for key, value in model.root.items()}
    missing = [code.id for code in codebook.challenges if not questions.get(code.id)]
    if not questions.get("general"):
        missing.insert(0, "general")
    if missing:
        raise DigestQuestionsError(f"{path}: no question for {', '.join(missing)}")
    return DigestQuestions(questions)
