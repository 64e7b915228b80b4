"""The words around a cue that change its meaning: negation, who is speaking, a nearby problem."""

from __future__ import annotations

import logging

from bot.tagging.codes import Language
from bot.tagging.index import PhraseIndex
from bot.tagging.phrases import match_at
from bot.tagging.text import NO_BREAK, SENTENCE, Token

logger = logging.getLogger(__name__)

HEDGE_REACH = 2

Tokens = tuple[Token, ...]


def words_before(tokens: Tokens, index: int, window: int, language: Language) -> range:
    """The same-clause words a negator or a subject could reach `index` from, nearest first."""
    first = index
    while first > 0 and index - first < window:
        if tokens[first].boundary != NO_BREAK or tokens[first - 1].word in language.scope_breakers:
            break
        first -= 1
    return range(index - 1, first - 1, -1)


def is_negated(tokens: Tokens, index: int, language: Language) -> bool:
    """"no behaviour issues", "nobody was absent": a negator shortly before, in the same clause."""
    return any(
        tokens[k].word in language.negators and not _is_exception(tokens, k, language)
        for k in words_before(tokens, index, language.negation_window, language)
    )


def _is_exception(tokens: Tokens, index: int, language: Language) -> bool:
    """"not only" and "not sure" look like negation but don't deny what follows."""
    return any(match_at(phrase, tokens, index) for phrase in language.negation_exceptions)


def tutor_is_subject(tokens: Tokens, index: int, language: Language) -> bool:
    """"I felt confident" is about the tutor; "I think she felt confident" is not."""
    return any(
        tokens[k].word in language.first_person and not _hedged(tokens, k, index, language)
        for k in words_before(tokens, index, language.subject_window, language)
    )


def _hedged(tokens: Tokens, subject: int, cue: int, language: Language) -> bool:
    following = range(subject + 1, min(subject + 1 + HEDGE_REACH, cue))
    return any(tokens[k].stem in language.hedges or tokens[k].word in language.hedges for k in following)


def problem_spans(
    tokens: Tokens, problems: PhraseIndex[None], language: Language
) -> list[tuple[int, int]]:
    """Where the text names a problem ("issue", "struggled", "not enough"), unless negated."""
    return [
        (segments[0][0], segments[-1][1])
        for start, segments, _ in problems.matches(tokens)
        if not is_negated(tokens, start, language)
    ]


def nearest_problem(
    tokens: Tokens, cue: tuple[int, int], problems: list[tuple[int, int]], language: Language
) -> tuple[int, int] | None:
    """A problem within `context_window` words of the cue, in the same sentence."""
    for first, last in problems:
        distance = max(first - cue[1], cue[0] - last)
        if distance <= language.context_window and _same_sentence(tokens, cue, (first, last)):
            return first, last
    return None


def _same_sentence(tokens: Tokens, a: tuple[int, int], b: tuple[int, int]) -> bool:
    low, high = min(a[0], b[0]), max(a[1], b[1])
    return all(tokens[k].boundary != SENTENCE for k in range(low + 1, high + 1))
