"""The cue phrase syntax: words match any inflection, `word*` a prefix, `=word` exactly that word,
`a|b` either, and `~` a gap of a few words."""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

from bot.tagging.stemmer import stem
from bot.tagging.text import SENTENCE, WORD, Spelling, Token, normalise_word

logger = logging.getLogger(__name__)

MAX_GAP = 3
MIN_PREFIX = 3


@dataclass(frozen=True, slots=True)
class WordTest:
    """Accepts a token by its stem, by a prefix of its word, or by the exact word."""

    stems: frozenset[str]
    prefixes: tuple[str, ...] = ()
    words: frozenset[str] = frozenset()

    def accepts(self, token: Token) -> bool:
        return (
            token.stem in self.stems
            or token.word in self.words
            or token.word.startswith(self.prefixes)
        )


@dataclass(frozen=True, slots=True)
class Gap:
    """Up to `MAX_GAP` words of anything, so "worked ~ together" meets "worked really well together"."""


Part = WordTest | Gap
Phrase = tuple[Part, ...]
Segment = tuple[int, int]


def parse_phrase(phrase: str, spelling: Spelling) -> Phrase:
    """Turns the YAML text into tests; raises ValueError saying what is wrong with it."""
    parts: list[Part] = []
    for chunk in phrase.split():
        parts.extend([Gap()] if chunk == "~" else _parse_chunk(chunk, spelling))
    _check_shape(parts, phrase)
    return tuple(parts)


def _check_shape(parts: list[Part], phrase: str) -> None:
    if not parts:
        raise ValueError(f"empty phrase {phrase!r}")
    if isinstance(parts[0], Gap) or isinstance(parts[-1], Gap):
        raise ValueError(f"a phrase cannot start or end with ~: {phrase!r}")
    if any(isinstance(a, Gap) and isinstance(b, Gap) for a, b in itertools.pairwise(parts)):
        raise ValueError(f"two ~ in a row: {phrase!r}")


def _parse_chunk(chunk: str, spelling: Spelling) -> list[WordTest]:
    alternatives = [alt for alt in chunk.split("|") if alt]
    if len(alternatives) == 1:
        return _parse_sequence(alternatives[0], spelling)
    tests = [_single_word(alternative, chunk, spelling) for alternative in alternatives]
    return [
        WordTest(
            stems=frozenset().union(*(test.stems for test in tests)),
            prefixes=tuple(prefix for test in tests for prefix in test.prefixes),
            words=frozenset().union(*(test.words for test in tests)),
        )
    ]


def _single_word(alternative: str, chunk: str, spelling: Spelling) -> WordTest:
    tests = _parse_sequence(alternative, spelling)
    if len(tests) != 1:
        raise ValueError(f"each choice in {chunk!r} must be a single word")
    return tests[0]


def _parse_sequence(text: str, spelling: Spelling) -> list[WordTest]:
    """ "self-esteem" is two words, as the tokenizer sees it; `*` and `=` apply to the last one."""
    words = [normalise_word(word, spelling) for word in WORD.findall(text.strip("*="))]
    if not words:
        raise ValueError(f"no words in {text!r}")
    tests = [WordTest(frozenset({stem(word)})) for word in words]
    if text.endswith("*"):
        tests[-1] = _prefix_test(words[-1], text)
    elif text.startswith("="):
        tests[-1] = WordTest(frozenset(), words=frozenset({words[-1]}))
    return tests


def _prefix_test(prefix: str, text: str) -> WordTest:
    if len(prefix) < MIN_PREFIX:
        raise ValueError(f"prefix {text!r} is too short (at least {MIN_PREFIX} letters)")
    return WordTest(frozenset(), prefixes=(prefix,))


def match_at(phrase: Phrase, tokens: tuple[Token, ...], start: int) -> tuple[Segment, ...] | None:
    """The token ranges (first, last) the phrase covers when it starts at `start`, if it does."""
    segments = _match_from(phrase, 0, tokens, start)
    if segments is None or _crosses_sentence(tokens, segments[0][0], segments[-1][1]):
        return None
    return segments


def _match_from(
    phrase: Phrase, part_index: int, tokens: tuple[Token, ...], start: int
) -> tuple[Segment, ...] | None:
    index = start
    for offset, part in enumerate(phrase[part_index:], part_index):
        if isinstance(part, Gap):
            rest = _match_after_gap(phrase, offset + 1, tokens, index)
            return None if rest is None else ((start, index - 1), *rest)
        if index >= len(tokens) or not part.accepts(tokens[index]):
            return None
        index += 1
    return ((start, index - 1),)


def _match_after_gap(
    phrase: Phrase, part_index: int, tokens: tuple[Token, ...], index: int
) -> tuple[Segment, ...] | None:
    for skip in range(MAX_GAP + 1):
        found = _match_from(phrase, part_index, tokens, index + skip)
        if found is not None:
            return found
    return None


def _crosses_sentence(tokens: tuple[Token, ...], first: int, last: int) -> bool:
    return any(tokens[index].boundary == SENTENCE for index in range(first + 1, last + 1))
