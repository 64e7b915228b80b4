"""The cue syntax coordinators write: stems, prefixes, exact words, choices and gaps."""

from __future__ import annotations

import pytest

from bot.tagging.codebook import Codebook
from bot.tagging.phrases import match_at, parse_phrase
from bot.tagging.text import Spelling, tokenize


def finds(phrase: str, text: str, spelling: Spelling) -> bool:
    tokens = tokenize(text, spelling)
    parsed = parse_phrase(phrase, spelling)
    return any(match_at(parsed, tokens, start) for start in range(len(tokens)))


@pytest.fixture
def spelling(codebook: Codebook) -> Spelling:
    return codebook.language.spelling


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("settle", "they wouldn't settle", True),
        ("settle", "they finally settled down", True),
        ("confiden*", "she played confidently", True),
        ("confiden*", "she played confusingly", False),
        ("kick* off", "two boys kicked off", True),
        ("worked ~ together", "they worked together", True),
        ("worked ~ together", "they worked really well together", True),
        ("worked ~ together", "they worked one two three four together", False),
        ("worked ~ together", "they worked hard. Together we sang", False),
        ("messing about|around", "messing around at the back", True),
        ("messing about|around", "messing with the kit", False),
        ("=timing", "their timing was tight", True),
        ("=timing", "there wasn't time", False),
        ("self-esteem", "her self esteem is growing", True),
        ("didn't give up", "he didnt give up", True),
        ("behaviour", "Behavior was tricky", True),
    ],
)
def test_phrase_syntax(phrase: str, text: str, expected: bool, spelling: Spelling) -> None:
    assert finds(phrase, text, spelling) is expected


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("", "empty"),
        ("~ together", "start or end"),
        ("worked ~", "start or end"),
        ("worked ~ ~ together", "two ~"),
        ("co*", "too short"),
        ("one|self-esteem", "single word"),
    ],
)
def test_bad_phrases_say_what_is_wrong(phrase: str, problem: str, spelling: Spelling) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_phrase(phrase, spelling)
