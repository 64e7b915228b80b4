"""Guided prompt sets load from YAML and every problem is named clearly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.services.prompt_sets import (
    DEFAULT_PROMPT_SET,
    MAX_TEXT,
    PROMPT_SETS_FILE,
    PromptSetError,
    load_prompt_sets,
)


def test_bundled_sets() -> None:
    sets = load_prompt_sets()
    assert list(sets)[:3] == ["session", "quick", "weekly"]
    session = sets[DEFAULT_PROMPT_SET]
    assert [q.id for q in session.questions] == [
        "what_happened", "noticed", "in_the_way", "next_time",
    ]  # fmt: skip
    assert "personally, socially, musically" in session.questions[1].text
    assert [q.optional for q in session.questions] == [False, False, True, True]
    assert len(sets["quick"].questions) == 1
    assert len(sets["weekly"].questions) > len(session.questions)


def test_bundled_wording_fits_a_phone_screen() -> None:
    for prompt_set in load_prompt_sets().values():
        assert len(prompt_set.description) <= 120, prompt_set.id
        for question in prompt_set.questions:
            assert len(question.text) <= 100, question.id
            assert question.hint is None or len(question.hint) <= 100, question.id


def valid() -> dict[str, Any]:
    return {
        "sets": [
            {
                "id": "session",
                "title": "After a session",
                "description": "Short.",
                "questions": [
                    {"id": "how", "text": "How did it go?"},
                    {"id": "next", "text": "Next time?", "hint": "One idea.", "optional": True},
                ],
            }
        ]
    }


def write(folder: Path, data: dict[str, Any]) -> Path:
    (folder / PROMPT_SETS_FILE).write_text(yaml.safe_dump(data), "utf-8")
    return folder


def test_a_valid_file_loads(tmp_path: Path) -> None:
    session = load_prompt_sets(write(tmp_path, valid()))["session"]
    assert session.questions[1].hint == "One idea."
    assert session.questions[1].optional
    assert session.questions[0].hint is None


def broken(tmp_path: Path, change: Any, *fragments: str) -> None:
    data = valid()
    change(data)
    with pytest.raises(PromptSetError) as caught:
        load_prompt_sets(write(tmp_path, data))
    message = str(caught.value)
    assert str(tmp_path / PROMPT_SETS_FILE) in message
    for fragment in fragments:
        assert fragment in message


def test_default_set_missing(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0].update(id="quick"), "'session' is missing")


def test_duplicate_set(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"].append(d["sets"][0]), "'session'", "duplicate id")


def test_duplicate_question(tmp_path: Path) -> None:
    broken(
        tmp_path,
        lambda d: d["sets"][0]["questions"][1].update(id="how"),
        "'session'",
        "duplicate question id how",
    )


def test_all_optional(tmp_path: Path) -> None:
    broken(
        tmp_path,
        lambda d: d["sets"][0]["questions"][0].update(optional=True),
        "at least one question must not be optional",
    )


def test_optional_must_be_true_or_false(tmp_path: Path) -> None:
    broken(
        tmp_path,
        lambda d: d["sets"][0]["questions"][0].update(optional="maybe"),
        "'how'",
        "true or false",
    )


def test_missing_text(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0]["questions"][0].pop("text"), "'how'", "missing text")


def test_text_too_long(tmp_path: Path) -> None:
    too_long = "x" * (MAX_TEXT + 1)
    broken(
        tmp_path,
        lambda d: d["sets"][0].update(title=too_long),
        "set 'session': title",
        f"at most {MAX_TEXT} characters",
    )


def test_unknown_field(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0].update(questoins=[]), "unknown field(s) questoins")


def test_no_questions(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0].update(questions=[]), "questions", "at least 1 item")


def test_bad_id(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0].update(id="After Session"), "lower_snake_case")


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PromptSetError, match="cannot read"):
        load_prompt_sets(tmp_path)
    (tmp_path / PROMPT_SETS_FILE).write_text("sets: [oops\n")
    with pytest.raises(PromptSetError, match="not valid YAML"):
        load_prompt_sets(tmp_path)


def test_title_and_description_are_optional(tmp_path: Path) -> None:
    data = valid()
    del data["sets"][0]["title"], data["sets"][0]["description"]
    session = load_prompt_sets(write(tmp_path, data))["session"]
    assert (session.title, session.description) == ("", "")


def test_a_question_is_named_by_position_and_id(tmp_path: Path) -> None:
    broken(
        tmp_path,
        lambda d: d["sets"][0]["questions"][1].update(text=" "),
        "set 'session': questions[1] ('next'): text",
        "at least 1 character",
    )


def test_missing_question_id(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"][0]["questions"][0].pop("id"), "questions[0]: missing id")


def test_bad_question_id(tmp_path: Path) -> None:
    broken(
        tmp_path,
        lambda d: d["sets"][0]["questions"][0].update(id="How"),
        "set 'session': questions[0].id: must be lower_snake_case",
    )


def test_no_sets(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d.update(sets=[]), "sets: must have at least 1 item")


def test_a_set_that_is_not_a_mapping(tmp_path: Path) -> None:
    broken(tmp_path, lambda d: d["sets"].append("weekly"), "sets[1]: expected a mapping")


def test_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / PROMPT_SETS_FILE).write_text("- session\n")
    with pytest.raises(PromptSetError, match="expected a mapping"):
        load_prompt_sets(tmp_path)
