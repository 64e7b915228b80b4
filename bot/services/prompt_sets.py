"""Guided prompt sets, read from `prompts/prompt_sets.yaml` and checked once at start-up."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from prompts import PROMPTS_DIR

logger = logging.getLogger(__name__)

PROMPT_SETS_FILE = "prompt_sets.yaml"
DEFAULT_PROMPT_SET = "session"
MAX_TEXT = 400
SET_FIELDS = frozenset({"id", "title", "description", "questions"})
QUESTION_FIELDS = frozenset({"id", "text", "hint", "optional"})


class PromptSetError(Exception):
    """The prompt sets file is unusable; the message names the file, the set and the problem."""


@dataclass(frozen=True)
class Question:
    """One message the bot sends; an optional one can be skipped with a tap."""

    id: str
    text: str
    hint: str | None = None
    optional: bool = False


@dataclass(frozen=True)
class PromptSet:
    """Questions asked one after another, in order."""

    id: str
    title: str
    description: str
    questions: tuple[Question, ...]


def load_prompt_sets(prompts_dir: Path | None = None) -> dict[str, PromptSet]:
    """Every prompt set by id, in file order; a bad edit stops the bot with a clear line."""
    path = (prompts_dir or PROMPTS_DIR) / PROMPT_SETS_FILE
    entries = _read(path).get("sets")
    if not isinstance(entries, list) or not entries:
        raise PromptSetError(f"{path}: 'sets' must be a non-empty list")
    sets: dict[str, PromptSet] = {}
    for index, entry in enumerate(entries):
        prompt_set = _prompt_set(entry, f"{path}: sets[{index}]", path)
        if prompt_set.id in sets:
            raise PromptSetError(f"{path}: set {prompt_set.id!r}: duplicate id")
        sets[prompt_set.id] = prompt_set
    if DEFAULT_PROMPT_SET not in sets:
        raise PromptSetError(f"{path}: the default set {DEFAULT_PROMPT_SET!r} is missing")
    logger.info("Loaded %d prompt sets from %s", len(sets), path)
    return sets


def _read(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PromptSetError(f"{path}: cannot read the prompt sets ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise PromptSetError(f"{path}: not valid YAML ({error})") from error
    return _mapping(data, f"{path}")


def _prompt_set(entry: object, where: str, path: Path) -> PromptSet:
    data = _mapping(entry, where)
    set_id = _identifier(data, where)
    where = f"{path}: set {set_id!r}"
    _check_fields(data, SET_FIELDS, where)
    questions = _questions(data.get("questions"), where)
    return PromptSet(
        id=set_id,
        title=_text(data, "title", where),
        description=_text(data, "description", where),
        questions=questions,
    )


def _questions(value: object, where: str) -> tuple[Question, ...]:
    if not isinstance(value, list) or not value:
        raise PromptSetError(f"{where}: 'questions' must be a non-empty list")
    questions = tuple(_question(entry, f"{where}: questions[{n}]") for n, entry in enumerate(value))
    ids = [question.id for question in questions]
    duplicates = sorted({qid for qid in ids if ids.count(qid) > 1})
    if duplicates:
        raise PromptSetError(f"{where}: duplicate question id {', '.join(duplicates)}")
    if all(question.optional for question in questions):
        raise PromptSetError(f"{where}: at least one question must not be optional")
    return questions


def _question(entry: object, where: str) -> Question:
    data = _mapping(entry, where)
    question_id = _identifier(data, where)
    where = f"{where} ({question_id!r})"
    _check_fields(data, QUESTION_FIELDS, where)
    optional = data.get("optional", False)
    if not isinstance(optional, bool):
        raise PromptSetError(f"{where}: 'optional' must be true or false")
    hint = _text(data, "hint", where) if "hint" in data else None
    return Question(question_id, _text(data, "text", where), hint, optional)


def _identifier(data: Mapping[str, Any], where: str) -> str:
    value = data.get("id")
    if not isinstance(value, str) or not value.isidentifier() or not value.islower():
        raise PromptSetError(f"{where}: 'id' must be lower_snake_case text")
    return value


def _text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise PromptSetError(f"{where}: missing {key}")
    if len(value) > MAX_TEXT:
        raise PromptSetError(f"{where}: {key} is longer than {MAX_TEXT} characters")
    return value.strip()


def _check_fields(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise PromptSetError(f"{where}: unknown field(s) {', '.join(unknown)}")


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PromptSetError(f"{where}: expected a mapping")
    return value
