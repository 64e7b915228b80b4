"""messages.yaml is checked at start-up: every message the code uses, with only the placeholders
it supplies, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.views.texts import MESSAGES_FILE, REQUIRED, TextsError, load_texts

REQUIRED_HERE = {"greeting": frozenset({"name"}), "bye": frozenset()}


def write(folder: Path, data: Any) -> Path:
    (folder / MESSAGES_FILE).write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def valid() -> dict[str, Any]:
    return {"greeting": "Hello {name}!", "bye": "Bye."}


def expect_error(folder: Path, *fragments: str) -> None:
    with pytest.raises(TextsError) as caught:
        load_texts(folder, REQUIRED_HERE)
    message = str(caught.value)
    assert str(folder / MESSAGES_FILE) in message
    for fragment in fragments:
        assert fragment in message


def test_bundled_messages_load_and_fill_in() -> None:
    texts = load_texts()
    welcome = dict.fromkeys(REQUIRED["welcome"], "x") | {"first_name": "Aisha"}
    assert "Aisha" in texts("welcome", **welcome)
    assert all(texts(key, **dict.fromkeys(allowed, "x")) for key, allowed in REQUIRED.items())


def test_a_valid_file_loads(tmp_path: Path) -> None:
    texts = load_texts(write(tmp_path, valid()), REQUIRED_HERE)
    assert texts("greeting", name="Sam") == "Hello Sam!"


def test_missing_message(tmp_path: Path) -> None:
    data = valid()
    del data["bye"]
    expect_error(write(tmp_path, data), "missing bye")


def test_empty_message(tmp_path: Path) -> None:
    expect_error(write(tmp_path, {**valid(), "bye": "  "}), "bye: is empty")


def test_unknown_placeholder(tmp_path: Path) -> None:
    data = {**valid(), "greeting": "Hello {name}, {surname}!"}
    expect_error(write(tmp_path, data), "greeting: uses unknown placeholder(s) surname")


def test_broken_braces(tmp_path: Path) -> None:
    expect_error(write(tmp_path, {**valid(), "greeting": "Hello {name"}), "greeting:", "'}'")


def test_unknown_message_is_rejected(tmp_path: Path) -> None:
    """A key the code never asks for is a typo or left over, and would silently go unused."""
    expect_error(write(tmp_path, {**valid(), "greting": "Hi"}), "unknown field(s) greting")


def test_unquoted_yes_is_explained(tmp_path: Path) -> None:
    (tmp_path / MESSAGES_FILE).write_text("greeting: Hello {name}\nbye: yes\n")
    expect_error(tmp_path, "bye: True is not text", "quotes")


def test_not_a_mapping(tmp_path: Path) -> None:
    expect_error(write(tmp_path, ["Hello {name}!"]), "expected a mapping")


def test_invalid_yaml(tmp_path: Path) -> None:
    (tmp_path / MESSAGES_FILE).write_text("greeting: [unclosed\n")
    expect_error(tmp_path, "not valid YAML")


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path, "cannot read")
