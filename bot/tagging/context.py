"""The words around a cue that change its meaning: negation, who is speaking, a nearby problem."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.tagging.codes import Language
from bot.tagging.index import PhraseIndex
from bot.tagging.phrases import match_at
from bot.tagging.text import NO_BREAK, SENTENCE, Token

logger = logging.getLogger(__name__)

HEDGE_REACH = 2
LACK_FILLERS = frozenset(
    {"a", "an", "any", "the", "enough", "working", "spare", "our", "their", "his", "her", "my",
     "much", "many", "of", "have", "had", "got", "get", "with", "was", "were", "been", "be"}
)  # fmt: skip

Tokens = tuple[Token, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """Tokens `first`..`last` name a problem ("issue", "not enough"), perhaps negated."""

    first: int
    last: int
    negated: bool


def words_before(tokens: Tokens, index: int, window: int, language: Language) -> range:
    """The same-clause words a negator or a subject could reach `index` from, nearest first."""
    first = index
    while first > 0 and index - first < window:
        if tokens[first].boundary != NO_BREAK or tokens[first - 1].word in language.scope_breakers:
            break
        first -= 1
    return range(index - 1, first - 1, -1)


def negator_before(tokens: Tokens, index: int, language: Language) -> int | None:
    """Where a negation reaching `index` starts: "no behaviour issues", "nobody was absent"."""
    for k in words_before(tokens, index, language.negation_window, language):
        if tokens[k].word in language.negators and not _is_exception(tokens, k, language):
            return k
    return None


def _is_exception(tokens: Tokens, index: int, language: Language) -> bool:
    """ "not only" and "not sure" look like negation but don't deny what follows."""
    return any(match_at(phrase, tokens, index) for phrase in language.negation_exceptions)


def tutor_is_subject(tokens: Tokens, index: int, language: Language) -> bool:
    """ "I felt confident" is about the tutor; "I think she felt confident" is not."""
    return any(
        tokens[k].word in language.first_person and not _hedged(tokens, k, index, language)
        for k in words_before(tokens, index, language.subject_window, language)
    )


def _hedged(tokens: Tokens, subject: int, cue: int, language: Language) -> bool:
    following = range(subject + 1, min(subject + 1 + HEDGE_REACH, cue))
    return any(tokens[k].word in language.hedges for k in following)


def find_problems(tokens: Tokens, index: PhraseIndex[None], language: Language) -> list[Problem]:
    """Every place the text names a problem, noting the negated ones ("no problems")."""
    return [
        Problem(start, segments[-1][1], negator_before(tokens, start, language) is not None)
        for start, segments, _ in index.matches(tokens)
    ]


def nearest_problem(
    tokens: Tokens, cue: tuple[int, int], problems: list[Problem], language: Language
) -> Problem | None:
    """A problem, not negated, within `context_window` words of the cue, in the same sentence."""
    for problem in problems:
        distance = max(problem.first - cue[1], cue[0] - problem.last)
        if (
            not problem.negated
            and distance <= language.context_window
            and _same_sentence(tokens, cue, (problem.first, problem.last))
        ):
            return problem
    return None


def problem_just_before(
    tokens: Tokens, index: int, problems: list[Problem], language: Language
) -> bool:
    """ "found it hard to wait his turn": the problem governs the words after it."""
    reach = set(words_before(tokens, index, language.negation_window, language))
    return any(problem.last in reach and not problem.negated for problem in problems)


def cue_negator(
    tokens: Tokens, index: int, problems: list[Problem], language: Language
) -> int | None:
    """The negator denying the cue, not a problem before it: "no problems with the room"."""
    negator = negator_before(tokens, index, language)
    if negator is None or any(negator <= problem.first < index for problem in problems):
        return None
    return negator


def is_lacking(tokens: Tokens, index: int, problems: list[Problem], language: Language) -> bool:
    """ "no keyboards", "hadn't any keyboards"; not "not confident teaching guitar"."""
    negator = cue_negator(tokens, index, problems, language)
    if negator is None:
        return False
    return all(tokens[k].word in LACK_FILLERS for k in range(negator + 1, index))


def _same_sentence(tokens: Tokens, a: tuple[int, int], b: tuple[int, int]) -> bool:
    low, high = min(a[0], b[0]), max(a[1], b[1])
    return all(tokens[k].boundary != SENTENCE for k in range(low + 1, high + 1))
