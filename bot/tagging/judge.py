"""Decides whether a cue found in the text really counts, given the words around it."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.tagging.codes import Cue, Language
from bot.tagging.context import is_negated, nearest_problem, tutor_is_subject
from bot.tagging.text import Token

logger = logging.getLogger(__name__)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A cue of `code_id` found at tokens `first`..`last`, covering the character `spans`."""

    code_id: str
    cue: Cue
    first: int
    last: int
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Reading:
    """One text, tokenized once, with the places it names a problem."""

    tokens: tuple[Token, ...]
    problems: list[tuple[int, int]]
    language: Language

    def evidence_for(self, candidate: Candidate) -> tuple[Span, ...] | None:
        """The spans that support the code, or None when the context cancels the cue."""
        if candidate.cue.about == "pupils" and self._tutor_speaks(candidate):
            return None
        negated = is_negated(self.tokens, candidate.first, self.language)
        need = candidate.cue.needs
        if need == "none":
            return None if negated else candidate.spans
        if need == "negation":
            return candidate.spans if negated else None
        if need == "first_person":
            return candidate.spans if not negated and self._tutor_speaks(candidate) else None
        return self._with_problem(candidate, negated)

    def _with_problem(self, candidate: Candidate, negated: bool) -> tuple[Span, ...] | None:
        """"the room" counts next to "a problem"; "no keyboards" counts because it is lacking."""
        if negated:
            return candidate.spans if candidate.cue.needs == "lack" else None
        problem = nearest_problem(
            self.tokens, (candidate.first, candidate.last), self.problems, self.language
        )
        if problem is None:
            return None
        first, last = problem
        return (*candidate.spans, (self.tokens[first].start, self.tokens[last].end))

    def _tutor_speaks(self, candidate: Candidate) -> bool:
        return tutor_is_subject(self.tokens, candidate.first, self.language)
