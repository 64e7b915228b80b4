"""The automatic tagger: transparent cue phrases, negation and context, scored per code."""

from __future__ import annotations

import bisect
import logging
import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from bot.tagging.codes import Code, Codebook, Cue
from bot.tagging.context import find_frames, find_problems
from bot.tagging.index import PhraseIndex
from bot.tagging.judge import Candidate, Reading, Span
from bot.tagging.text import Token, tokenize
from storage.vocabulary import TagKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CodeMatch:
    """The verdict on one code; `evidence` holds character offsets of the cues that fired."""

    code: str
    kind: TagKind
    applies: bool
    confidence: float
    evidence: tuple[Span, ...]


@dataclass(frozen=True)
class TagResult:
    """Every code's verdict, in codebook order, so callers can show near-misses too."""

    codes: dict[str, CodeMatch]

    @property
    def outcomes(self) -> tuple[str, ...]:
        return self._applied(TagKind.OUTCOME)

    @property
    def challenges(self) -> tuple[str, ...]:
        return self._applied(TagKind.CHALLENGE)

    @property
    def applied(self) -> tuple[str, ...]:
        return tuple(code for code, match in self.codes.items() if match.applies)

    def _applied(self, kind: TagKind) -> tuple[str, ...]:
        return tuple(c for c, m in self.codes.items() if m.applies and m.kind == kind)


class Tagger:
    """Built once from a codebook; `tag` is pure and takes well under a millisecond an entry."""

    # Cheap enough to run on the event loop; a thread hop would cost more than the tagging.
    off_loop = False

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        self._phrases = PhraseIndex(
            (cue.phrase, (code, cue)) for code in codebook.codes for cue in code.cues if cue.phrase
        )
        self._patterns = [(code, cue) for code in codebook.codes for cue in code.cues if cue.regex]
        self._problems = PhraseIndex((phrase, None) for phrase in codebook.language.problem_words)
        self._frames = PhraseIndex((phrase, None) for phrase in codebook.language.activity_frames)

    def tag(self, text: str) -> TagResult:
        """Tags one reflection; codes that don't apply are still reported, with confidence."""
        language = self.codebook.language
        tokens = tokenize(text, language.spelling)
        problems = find_problems(tokens, self._problems, language)
        frames = tuple(find_frames(tokens, self._frames))
        reading = Reading(tokens, problems, language, frames)
        found: dict[str, list[tuple[Cue, tuple[Span, ...]]]] = defaultdict(list)
        for candidate in self._candidates(text, tokens):
            evidence = reading.evidence_for(candidate)
            if evidence:
                found[candidate.code_id].append((candidate.cue, evidence))
        return TagResult(
            {code.id: self._verdict(code, found[code.id]) for code in self.codebook.codes}
        )

    def _candidates(self, text: str, tokens: tuple[Token, ...]) -> Iterator[Candidate]:
        for start, segments, (code, cue) in self._phrases.matches(tokens):
            spans = tuple((tokens[a].start, tokens[b].end) for a, b in segments)
            yield Candidate(code.id, code.kind, cue, start, segments[-1][1], spans)
        yield from self._pattern_candidates(text, tokens)

    def _pattern_candidates(self, text: str, tokens: tuple[Token, ...]) -> Iterator[Candidate]:
        starts = [token.start for token in tokens]
        for code, cue in self._patterns:
            assert cue.regex is not None
            for match in cue.regex.finditer(text):
                if match.end() > match.start() and tokens:
                    first = max(bisect.bisect_right(starts, match.start()) - 1, 0)
                    last = max(bisect.bisect_left(starts, match.end()) - 1, first)
                    yield Candidate(code.id, code.kind, cue, first, last, (match.span(),))

    def _verdict(self, code: Code, found: list[tuple[Cue, tuple[Span, ...]]]) -> CodeMatch:
        weights, evidence = _strongest_distinct(found)
        confidence = round(1.0 - math.prod(1.0 - weight for weight in weights), 3)
        applies = confidence >= self.codebook.language.threshold
        return CodeMatch(code.id, code.kind, applies, confidence, evidence)


def _strongest_distinct(
    found: list[tuple[Cue, tuple[Span, ...]]],
) -> tuple[list[float], tuple[Span, ...]]:
    """Each cue counts once; overlapping cues once, at the stronger weight; all spans are evidence."""
    weights: list[float] = []
    counted: list[tuple[Cue, Span]] = []
    evidence: set[Span] = set()
    for cue, spans in sorted(found, key=_strength):
        overlapping = [c for c, span in counted if c is cue or _overlap(spans[0], span)]
        if not overlapping:
            weights.append(cue.weight)
        if not overlapping or any(c is cue for c in overlapping):
            counted.append((cue, spans[0]))
            evidence.update(spans)
    return weights, tuple(sorted(evidence))


def _strength(item: tuple[Cue, tuple[Span, ...]]) -> tuple[float, int]:
    """Heavier cues first; at equal weight the longer span ("kicked off" over "kicked")."""
    cue, spans = item
    return -cue.weight, spans[0][0] - spans[0][1]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
