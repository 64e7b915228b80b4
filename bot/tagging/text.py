"""Words with their offsets, folded so that spelling, case and inflection don't hide a cue."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from bot.tagging.stemmer import stem

logger = logging.getLogger(__name__)

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?\n]")
CLAUSE_BREAK = re.compile(r"[,;:()\[\]–—]|\s-\s|\s-$|^-\s")
AMERICAN_IZE = re.compile(r"^(\w{3,}?)(iz|yz)(e|es|ed|ing|ation|ations|er|ers)$")

NO_BREAK, CLAUSE, SENTENCE = 0, 1, 2


@dataclass(frozen=True)
class Spelling:
    """American-to-British folds, applied alike to the codebook's cues and to the text."""

    words: dict[str, str] = field(default_factory=dict)
    prefixes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Token:
    """One word: `word` is the folded spelling, `stem` its inflection-free form."""

    word: str
    stem: str
    start: int
    end: int
    boundary: int


def normalise_word(raw: str, spelling: Spelling) -> str:
    """Lower case, no apostrophes or possessive 's, British spelling."""
    word = raw.lower().replace("’", "'")
    word = word.removesuffix("'s").replace("'", "")
    if word in spelling.words:
        return spelling.words[word]
    for american, british in spelling.prefixes:
        if word.startswith(american):
            return british + word[len(american) :]
    return AMERICAN_IZE.sub(_british_ise, word)


def _british_ise(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).replace("z", "s") + match.group(3)


def tokenize(text: str, spelling: Spelling) -> tuple[Token, ...]:
    """Every word with its character offsets and the strongest break just before it."""
    tokens = []
    previous_end = 0
    for match in WORD.finditer(text):
        word = normalise_word(match.group(), spelling)
        boundary = _boundary(text[previous_end : match.start()], previous_end == 0)
        tokens.append(Token(word, stem(word), match.start(), match.end(), boundary))
        previous_end = match.end()
    return tuple(tokens)


def _boundary(gap: str, at_start: bool) -> int:
    if at_start or SENTENCE_END.search(gap):
        return SENTENCE
    return CLAUSE if CLAUSE_BREAK.search(gap) else NO_BREAK
