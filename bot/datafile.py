"""Reads a YAML data file into a pydantic model, so every problem is one line naming the file,
the entry and what is wrong, and coordinators can fix their own edits."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, TypeVar

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

ModelT = TypeVar("ModelT", bound=BaseModel)
ItemT = TypeVar("ItemT")

# pydantic's words for these name Python types; a coordinator thinks in YAML.
PLAIN_PROBLEMS = {
    "model_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "bool_type": "must be true or false",
    "too_short": "must have at least {min_length} item(s)",
}
ID_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def _lower_snake(value: str) -> str:
    if not ID_SHAPE.match(value):
        raise ValueError("must be lower_snake_case text")
    return value


# Ids end up in exports, commands and callback data, so they stay plain.
Identifier = Annotated[str, AfterValidator(_lower_snake)]
# Surrounding blanks are a YAML accident, and blank text is as good as missing.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A YAML list, kept as a tuple so a loaded file cannot be changed by accident.
Items = Annotated[tuple[ItemT, ...], Field(strict=False)]


class DataModel(BaseModel):
    """A part of a data file: unknown keys are typos, and YAML's `yes` is not quietly text."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: object) -> object:
        """`key:` with nothing after it reads as "none", not as a wrong type."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data


def duplicates(ids: Iterable[str]) -> list[str]:
    """The ids that appear more than once, for the cross-entry checks every file has."""
    return sorted(key for key, count in Counter(ids).items() if count > 1)


def load_model(path: Path, model: type[ModelT], *, error: type[Exception]) -> ModelT:
    """The file as `model`, or `error` with one line that says where and what is wrong."""
    data: object = None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return model.model_validate(data)
    except OSError as problem:
        raise error(f"{path}: cannot read ({problem.strerror})") from problem
    except yaml.YAMLError as problem:
        raise error(f"{path}: not valid YAML ({problem})") from problem
    except ValidationError as invalid:
        raise error(f"{path}: {describe(invalid, data)}") from None


def describe(invalid: ValidationError, data: object) -> str:
    """The first problem as `<where>: <what>`; one fix at a time is easier to follow."""
    errors = invalid.errors()
    first = errors[0]
    loc, kind = first["loc"], first["type"]
    if kind == "missing":
        where, problem = loc[:-1], f"missing {loc[-1]}"
    elif kind == "extra_forbidden":
        names = (
            str(e["loc"][-1]) for e in errors if e["type"] == kind and e["loc"][:-1] == loc[:-1]
        )
        where, problem = loc[:-1], f"unknown field(s) {', '.join(sorted(names))}"
    else:
        where, problem = loc, _problem(first)
    place = _place(where, data)
    return f"{place}: {problem}" if place else problem


def _problem(error: ErrorDetails) -> str:
    value, kind = error["input"], error["type"]
    if kind == "string_type" and isinstance(value, bool):
        return f"{value} is not text (put words like no, on, off in quotes)"
    if kind == "value_error":
        return error["msg"].removeprefix("Value error, ")
    message = PLAIN_PROBLEMS.get(kind, error["msg"]).format(**error.get("ctx", {}))
    if value is None or isinstance(value, str | int | float):
        shown = repr(value)
        return f"{message} (got {shown if len(shown) <= 40 else shown[:39] + '…'})"
    return message


def _place(loc: tuple[int | str, ...], data: object) -> str:
    """`code 'personal': cues[0].weight`: a top-level entry is known by its id alone, a nested
    one by position too, since its id only has to be unique within its parent."""
    chunks: list[str] = []
    current, node = "", data
    for position, key in enumerate(loc):
        node = _child(node, key)
        if isinstance(key, str):
            current = f"{current}.{key}" if current else key
            continue
        item_id = _item_id(node, loc[position + 1 : position + 2])
        if item_id is None:
            current = f"{current}[{key}]"
        elif position == 1:
            chunks.append(f"{str(loc[0]).removesuffix('s')} {item_id!r}")
            current = ""
        else:
            chunks.append(f"{current}[{key}] ({item_id!r})")
            current = ""
    return ": ".join([*chunks, current] if current else chunks)


def _child(node: object, key: int | str) -> object:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def _item_id(item: object, next_key: tuple[int | str, ...]) -> str | None:
    """The entry's id, unless the id itself is what is wrong."""
    if not isinstance(item, dict) or next_key == ("id",):
        return None
    item_id = item.get("id")
    return item_id if isinstance(item_id, str) else None
