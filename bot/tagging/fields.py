"""Typed readers for codebook YAML fields, each raising a CodebookError that says where."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from bot.tagging.codes import KINDS, About, CodebookError, Kind

logger = logging.getLogger(__name__)

ABOUTS: tuple[About, ...] = ("anyone", "pupils")


def check_keys(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    unknown = sorted(str(key) for key in data if key not in allowed)
    if unknown:
        raise CodebookError(f"{where}: unknown field(s) {', '.join(unknown)}")


def as_kind(value: object, where: str) -> Kind:
    if value not in KINDS:
        raise CodebookError(f"{where}: unknown kind {value!r} (use outcome or challenge)")
    return value


def as_about(value: object, where: str) -> About:
    if value not in ABOUTS:
        raise CodebookError(f"{where}: 'about' must be anyone or pupils, not {value!r}")
    return value


def required_text(data: Mapping[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CodebookError(f"{where}: missing {key}")
    return value.strip()


def as_mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CodebookError(f"{where}: expected a mapping")
    return value


def as_list(value: object, where: str) -> list[object]:
    if not isinstance(value, list):
        raise CodebookError(f"{where}: expected a list")
    return value


def string_list(value: object, where: str) -> list[str]:
    items = as_list(value, where)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise CodebookError(
                f"{where}: {item!r} is not text (put words like no, on, off in quotes)"
            )
    return [str(item) for item in items]


def as_number(value: object, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise CodebookError(f"{where}: must be a number from {low} to {high}")
    return float(value)


def as_count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 20:
        raise CodebookError(f"{where}: must be a whole number from 1 to 20")
    return value
