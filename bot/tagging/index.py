"""Finds which phrases could start at a word without trying every phrase at every word."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Generic, TypeVar

from bot.tagging.phrases import MIN_PREFIX, Phrase, Segment, WordTest, match_at
from bot.tagging.text import Token

logger = logging.getLogger(__name__)

T = TypeVar("T")


class PhraseIndex(Generic[T]):
    """Phrases keyed by their first word: its stems and exact words share one table."""

    def __init__(self, entries: Iterable[tuple[Phrase, T]]) -> None:
        self._by_stem: dict[str, list[tuple[Phrase, T]]] = defaultdict(list)
        self._by_prefix: dict[str, list[tuple[Phrase, T]]] = defaultdict(list)
        for phrase, value in entries:
            self._add(phrase, value)

    def _add(self, phrase: Phrase, value: T) -> None:
        first = phrase[0]
        assert isinstance(first, WordTest)
        for key in first.stems | first.words:
            self._by_stem[key].append((phrase, value))
        for prefix in {prefix[:MIN_PREFIX] for prefix in first.prefixes}:
            self._by_prefix[prefix].append((phrase, value))

    def matches(self, tokens: tuple[Token, ...]) -> Iterable[tuple[int, tuple[Segment, ...], T]]:
        """Every (start, segments, value) where a phrase matches, each phrase once per start."""
        for start, token in enumerate(tokens):
            candidates = [
                *self._by_stem.get(token.stem, ()),
                *(self._by_stem.get(token.word, ()) if token.word != token.stem else ()),
                *self._by_prefix.get(token.word[:MIN_PREFIX], ()),
            ]
            seen: set[int] = set()
            for phrase, value in candidates:
                segments = None if id(phrase) in seen else match_at(phrase, tokens, start)
                seen.add(id(phrase))
                if segments:
                    yield start, segments, value
