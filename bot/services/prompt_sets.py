"""Guided prompt sets, read from `prompts/prompt_sets.yaml` and checked once at start-up."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from bot.datafile import DataModel, Identifier, Items, Text, duplicates, load_model
from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

PROMPT_SETS_FILE = "prompt_sets.yaml"
DEFAULT_PROMPT_SET = "session"
MAX_TEXT = 400

# Everything here is read on a phone, so a runaway paste is caught at start-up.
ShortText = Annotated[Text, StringConstraints(max_length=MAX_TEXT)]


class PromptSetError(Exception):
    """The prompt sets file is unusable; the message names the file, the set and the problem."""


class Question(DataModel):
    """One message the bot sends; an optional one can be skipped with a tap."""

    id: Identifier
    text: ShortText
    hint: ShortText | None = None
    optional: bool = False


class PromptSet(DataModel):
    """Questions asked one after another, in order; title and description are for people."""

    id: Identifier
    title: ShortText = ""
    description: ShortText = ""
    questions: Annotated[Items[Question], Field(min_length=1)]

    @model_validator(mode="after")
    def _answerable(self) -> Self:
        """Answers are stored by question id, and a set of skips would save nothing."""
        repeated = duplicates(question.id for question in self.questions)
        if repeated:
            raise ValueError(f"duplicate question id {', '.join(repeated)}")
        if all(question.optional for question in self.questions):
            raise ValueError("at least one question must not be optional")
        return self


class PromptSetsFile(DataModel):
    """The whole file: sets are found by id, and the default one must be there."""

    sets: Annotated[Items[PromptSet], Field(min_length=1)]

    @model_validator(mode="after")
    def _findable(self) -> Self:
        """A repeated id would hide a set, and a session's end always opens the default."""
        repeated = duplicates(prompt_set.id for prompt_set in self.sets)
        if repeated:
            raise ValueError(f"set {repeated[0]!r}: duplicate id")
        if all(prompt_set.id != DEFAULT_PROMPT_SET for prompt_set in self.sets):
            raise ValueError(f"the default set {DEFAULT_PROMPT_SET!r} is missing")
        return self


def load_prompt_sets(prompts_dir: Path | None = None) -> dict[str, PromptSet]:
    """Every prompt set by id, in file order; a bad edit stops the bot with a clear line."""
    path = (prompts_dir or PROMPTS_DIR) / PROMPT_SETS_FILE
    sets = {s.id: s for s in load_model(path, PromptSetsFile, error=PromptSetError).sets}
    logger.info("Loaded %d prompt sets from %s", len(sets), path)
    return sets
