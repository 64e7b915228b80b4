"""The codebook's shapes: codes, their cues and the shared language rules."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.tagging.phrases import Phrase
from bot.tagging.text import Spelling
from storage.vocabulary import TagKind

logger = logging.getLogger(__name__)

Need = Literal["none", "negation", "problem", "lack", "first_person"]
About = Literal["anyone", "pupils"]

KINDS: tuple[TagKind, ...] = tuple(TagKind)
CONTRACT_CODES: dict[str, TagKind] = {
    "personal": TagKind.OUTCOME,
    "social": TagKind.OUTCOME,
    "musical": TagKind.OUTCOME,
    "attendance": TagKind.CHALLENGE,
    "behaviour": TagKind.CHALLENGE,
    "engagement": TagKind.CHALLENGE,
    "additional_needs": TagKind.CHALLENGE,
    "planning": TagKind.CHALLENGE,
    "partnership": TagKind.CHALLENGE,
    "resources": TagKind.CHALLENGE,
    "wellbeing": TagKind.CHALLENGE,
    "tutor_support": TagKind.CHALLENGE,
}


class CodebookError(Exception):
    """The codebook file is unusable; the message names the file, the code and the problem."""


@dataclass(frozen=True)
class Cue:
    """One piece of evidence for a code: a phrase or a regular expression, and when it counts."""

    text: str
    weight: float
    needs: Need = "none"
    about: About = "anyone"
    after_activity: bool = False
    phrase: Phrase | None = None
    regex: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Code:
    """A tag tutors and coordinators see; `id` is stable because exports depend on it."""

    id: str
    kind: TagKind
    label: str
    description: str
    examples: tuple[str, ...] = ()
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Language:
    """What every code shares: negation, problem words, who is speaking, spelling folds."""

    spelling: Spelling
    negators: frozenset[str]
    negation_exceptions: tuple[Phrase, ...]
    scope_breakers: frozenset[str]
    problem_words: tuple[Phrase, ...]
    first_person: frozenset[str]
    hedges: frozenset[str]
    activity_frames: tuple[Phrase, ...] = ()
    threshold: float = 0.5
    negation_window: int = 4
    context_window: int = 5
    subject_window: int = 3
    activity_window: int = 8


@dataclass(frozen=True)
class Codebook:
    """All codes in the order coordinators wrote them, with the shared language rules."""

    codes: tuple[Code, ...]
    language: Language
    source: Path

    @property
    def outcomes(self) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.kind == "outcome")

    @property
    def challenges(self) -> tuple[Code, ...]:
        return tuple(code for code in self.codes if code.kind == "challenge")

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(code.id for code in self.codes)

    def get(self, code_id: str) -> Code | None:
        return next((code for code in self.codes if code.id == code_id), None)
