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

# "was so nervous", "felt so proud": after these, "so" intensifies and does not end a clause
COPULAS = frozenset(
    {"was", "were", "is", "am", "are", "be", "been", "being", "im", "its", "theyre", "hes",
     "shes", "felt", "feel", "feels", "feeling", "seemed", "seems", "looked", "looks", "got",
     "get", "gets", "getting", "really", "just", "not", "never"}
)  # fmt: skip
INTENSIFIED_BREAKERS = frozenset({"so", "still"})
# someone else is the subject nearer the cue: "I think she felt proud", "I helped him calm down"
OTHER_SUBJECTS = frozenset(
    {"he", "she", "they", "we", "him", "her", "them", "us", "everyone", "everybody", "someone",
     "hes", "shes", "theyre", "weve", "theyve", "theyd", "youre", "you"}
)  # fmt: skip
AFTER_REACH = 3
# a note-style sentence with no subject is the tutor's own: "Felt much more confident today."
IMPLIED_I = frozenset({"felt", "feel", "feeling"})
# words that set one clause against another, so a problem on one side doesn't reach the other
CONTRASTS = frozenset({"but", "although", "though", "however", "whereas", "yet", "except"})
# a clause that "so" or "still" starts begins with one of these: "so we stopped", "so the kids"
SUBJECT_STARTS = OTHER_SUBJECTS | frozenset(
    {"i", "im", "ive", "id", "it", "the", "a", "that", "this", "there", "then", "my", "our",
     "their", "his", "all", "most", "some", "half", "none", "nobody", "no", "one", "two"}
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
        if tokens[first].boundary != NO_BREAK or _breaks_scope(tokens, first - 1, language):
            break
        first -= 1
    return range(index - 1, first - 1, -1)


def _breaks_scope(tokens: Tokens, index: int, language: Language) -> bool:
    """ "but", "so" and "because" end a clause; "was so nervous" and "still" after a verb don't."""
    word = tokens[index].word
    if word not in language.scope_breakers:
        return False
    if word not in INTENSIFIED_BREAKERS or index + 1 >= len(tokens):
        return True
    after_verb = index > 0 and tokens[index - 1].word in COPULAS
    starts_a_clause = tokens[index + 1].word in SUBJECT_STARTS
    return starts_a_clause and not after_verb


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
    """ "I felt confident" is about the tutor; "I think she felt confident" is not: the nearest
    subject before the cue decides, and "proud of myself" just after it counts too."""
    for k in words_before(tokens, index, language.subject_window, language):
        if tokens[k].word in OTHER_SUBJECTS:
            break
        if tokens[k].word in language.first_person and not _hedged(tokens, k, index, language):
            return True
        if k == 0 or tokens[k].boundary == SENTENCE:
            if tokens[k].word in IMPLIED_I:
                return True
            break
    return _myself_after(tokens, index)


def _myself_after(tokens: Tokens, index: int) -> bool:
    """ "proud of myself", "too hard on myself": the tutor, named just after the cue."""
    for k in range(index + 1, min(index + 1 + AFTER_REACH, len(tokens))):
        if tokens[k].boundary != NO_BREAK:
            return False
        if tokens[k].word in ("myself", "me"):
            return tokens[k].word == "myself" or tokens[k - 1].word == "of"
    return False


def _hedged(tokens: Tokens, subject: int, cue: int, language: Language) -> bool:
    following = range(subject + 1, min(subject + 1 + HEDGE_REACH, cue))
    return any(tokens[k].word in language.hedges for k in following)


# who may stand just before an activity frame for it to be the session's plan, not a pupil's feat
FRAME_OPENERS = frozenset(
    {"we", "i", "ive", "weve", "id", "wed", "also", "then", "just", "and", "first", "today",
     "um", "er", "erm", "uh", "mostly", "only"}
)  # fmt: skip


def find_frames(tokens: Tokens, index: PhraseIndex[None]) -> list[int]:
    """Where the tutor reports what the session covered ("we did", "worked on"): the last word
    of each frame; a pupil doing it ("he did the solo") is no frame."""
    frames = []
    for start, segments, _ in index.matches(tokens):
        opens = start == 0 or tokens[start].boundary != NO_BREAK
        if opens or tokens[start - 1].word in FRAME_OPENERS:
            frames.append(segments[-1][1])
    return frames


def activity_before(
    tokens: Tokens, index: int, frames: tuple[int, ...], language: Language
) -> bool:
    """ "we did the strum pattern", "worked on the groove": an activity named, not an outcome
    seen; a pupil named in between ("we did it and they nailed it") ends the frame's reach."""
    if not frames:
        return False
    reach = set()
    for k in words_before(tokens, index, language.activity_window, language):
        if tokens[k].word in OTHER_SUBJECTS and tokens[k].word not in ("we", "us"):
            break
        reach.add(k)
    return any(frame in reach for frame in frames)


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
            and not _contrast_between(tokens, cue, (problem.first, problem.last))
        ):
            return problem
    return None


def _contrast_between(tokens: Tokens, a: tuple[int, int], b: tuple[int, int]) -> bool:
    """ "hard to concentrate but managed ten minutes": "but" keeps the problem on its side."""
    low, high = min(a[1], b[1]), max(a[0], b[0])
    return any(tokens[k].word in CONTRASTS for k in range(low + 1, high))


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
    if tokens[index].word in language.negators:
        return None  # the cue carries its own negation: "didn't know what to do", "never gave up"
    negator = negator_before(tokens, index, language)
    if negator is None or any(negator <= problem.first < index for problem in problems):
        return None
    return negator


def is_lacking(
    tokens: Tokens, cue: tuple[int, int], problems: list[Problem], language: Language
) -> bool:
    """ "no keyboards", "hadn't any keyboards"; not "not confident teaching guitar", and not
    "no kit problems", where the negation denies the problem that follows."""
    index = cue[0]
    negator = cue_negator(tokens, index, problems, language)
    if negator is None or any(problem.first == cue[1] + 1 for problem in problems):
        return False
    return all(tokens[k].word in LACK_FILLERS for k in range(negator + 1, index))


def _same_sentence(tokens: Tokens, a: tuple[int, int], b: tuple[int, int]) -> bool:
    low, high = min(a[0], b[0]), max(a[1], b[1])
    return all(tokens[k].boundary != SENTENCE for k in range(low + 1, high + 1))
