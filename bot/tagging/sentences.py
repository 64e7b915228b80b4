"""Splits a reflection into sentence spans: the model scores each, and the best is its evidence."""

from __future__ import annotations

import logging
import re

from bot.tagging.judge import Span

logger = logging.getLogger(__name__)

SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|\n|$)")
WORD = re.compile(r"\S+")
MAX_WORDS = 48


def sentence_spans(text: str) -> tuple[Span, ...]:
    """Sentences with their offsets; a long unpunctuated run (a transcript) is cut every few dozen words."""
    spans: list[Span] = []
    for match in SENTENCE.finditer(text):
        spans.extend(_chunks(text, match.start(), match.end()))
    return tuple(spans)


def _chunks(text: str, start: int, end: int) -> list[Span]:
    """The words of one sentence in runs of at most MAX_WORDS, trimmed of surrounding space."""
    words = [match.span() for match in WORD.finditer(text, start, end)]
    return [
        (words[i][0], words[min(i + MAX_WORDS, len(words)) - 1][1])
        for i in range(0, len(words), MAX_WORDS)
    ]
