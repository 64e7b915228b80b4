"""Decides whether a cue found in the text really counts, given the words around it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.tagging.codes import Cue, Language
from bot.tagging.context import (
    Problem,
    activity_before,
    cue_negator,
    is_lacking,
    nearest_problem,
    problem_just_before,
    tutor_is_subject,
)
from bot.tagging.text import Token
from storage.vocabulary import TagKind

logger = logging.getLogger(__name__)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A cue of `code_id` found at tokens `first`..`last`, covering the character `spans`."""

    code_id: str
    kind: TagKind
    cue: Cue
    first: int
    last: int
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Reading:
    """One text, tokenized once, with the places it names a problem."""

    tokens: tuple[Token, ...]
    problems: list[Problem]
    language: Language
    frames: tuple[int, ...] = ()

    def evidence_for(self, candidate: Candidate) -> tuple[Span, ...] | None:
        """The spans that support the code, or None when the context cancels the cue."""
        if self._cancelled_for_outcome(candidate):
            return None
        negator = cue_negator(self.tokens, candidate.first, self.problems, self.language)
        negated = negator is not None
        need = candidate.cue.needs
        if need == "none":
            return None if negated else candidate.spans
        if need == "negation":
            return candidate.spans if negated else None
        if need == "first_person":
            return candidate.spans if not negated and self._tutor_speaks(candidate) else None
        if need == "lack" and is_lacking(
            self.tokens, (candidate.first, candidate.last), self.problems, self.language
        ):
            return candidate.spans
        return None if negated else self._with_problem(candidate)

    def _cancelled_for_outcome(self, candidate: Candidate) -> bool:
        """ "I was proud" is about the tutor; "struggled to keep the beat" is no outcome, and
        neither is "we did the strum pattern" (an activity named, not progress seen)."""
        if candidate.cue.about == "pupils" and self._tutor_speaks(candidate):
            return True
        if candidate.kind != "outcome":
            return False
        if problem_just_before(self.tokens, candidate.first, self.problems, self.language):
            return True
        return not candidate.cue.after_activity and activity_before(
            self.tokens, candidate.first, self.frames, self.language
        )

    def _with_problem(self, candidate: Candidate) -> tuple[Span, ...] | None:
        """ "the room" counts next to "a problem"."""
        cue = (candidate.first, candidate.last)
        problem = nearest_problem(self.tokens, cue, self.problems, self.language)
        if problem is None:
            return None
        span = (self.tokens[problem.first].start, self.tokens[problem.last].end)
        return (*candidate.spans, span)

    def _tutor_speaks(self, candidate: Candidate) -> bool:
        return tutor_is_subject(self.tokens, candidate.first, self.language)
