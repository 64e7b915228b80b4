"""A light suffix stripper, so "settled", "settles" and "settling" all meet "settle"."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

VOWELS = frozenset("aeiou")
KEEP_DOUBLED = frozenset("lsz")
UNSTRIPPED_S_ENDINGS = ("ss", "us", "is")


def stem(word: str) -> str:
    """Porter's first step plus a dropped final e: enough for English inflections, and cheap."""
    if len(word) <= 3:
        return word
    word = _strip_plural(word)
    word = _strip_past_and_progressive(word)
    word = _y_to_i(word)
    return _drop_final_e(word)


def _has_vowel(text: str) -> bool:
    return any(char in VOWELS for char in text) or "y" in text[1:]


def _strip_plural(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "i"
    if word.endswith("s") and not word.endswith(UNSTRIPPED_S_ENDINGS):
        return word[:-1]
    return word


def _strip_past_and_progressive(word: str) -> str:
    if word.endswith("eed"):
        return word[:-1] if len(word) > 5 else word
    for suffix in ("ed", "ing"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and _has_vowel(base):
            return _undouble(base)
    return word


def _undouble(base: str) -> str:
    """ "stopp" and "drumm" become "stop" and "drum", but "fall" and "buzz" stay."""
    if len(base) > 2 and base[-1] == base[-2] and base[-1] not in VOWELS | KEEP_DOUBLED:
        return base[:-1]
    return base


def _y_to_i(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in VOWELS and _has_vowel(word[:-1]):
        return word[:-1] + "i"
    return word


def _drop_final_e(word: str) -> str:
    if word.endswith("e") and not word.endswith("ee") and len(word) > 3:
        return word[:-1]
    return word
