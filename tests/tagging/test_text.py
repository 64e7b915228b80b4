"""Words are found with their offsets and folded so spelling and inflection don't hide a cue."""

from __future__ import annotations

import pytest

from bot.tagging.codebook import Codebook
from bot.tagging.stemmer import stem
from bot.tagging.text import CLAUSE, NO_BREAK, SENTENCE, normalise_word, tokenize


@pytest.mark.parametrize(
    "forms",
    [
        ("settle", "settled", "settles", "settling"),
        ("drum", "drums", "drummed", "drumming"),
        ("focus", "focused", "focuses", "focusing"),
        ("worry", "worried", "worries"),
        ("tune", "tuned", "tunes", "tuning"),
        ("listen", "listened", "listening", "listens"),
    ],
)
def test_inflections_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(word) for word in forms}) == 1


def test_different_words_keep_different_stems() -> None:
    assert stem("sing") != stem("song")
    assert stem("class") == "class"
    assert stem("bus") == "bus"


@pytest.mark.parametrize(
    ("american", "british"),
    [
        ("behavior", "behaviour"),
        ("Behavioral", "behavioural"),
        ("organized", "organised"),
        ("organization", "organisation"),
        ("practicing", "practising"),
        ("practice", "practise"),
        ("color", "colour"),
        ("favorite", "favourite"),
        ("center", "centre"),
        ("canceled", "cancelled"),
    ],
)
def test_american_spellings_fold_to_british(
    codebook: Codebook, american: str, british: str
) -> None:
    spelling = codebook.language.spelling
    assert normalise_word(american, spelling) == normalise_word(british, spelling)
    assert normalise_word(american, spelling) == british


def test_short_ize_words_are_left_alone(codebook: Codebook) -> None:
    assert normalise_word("size", codebook.language.spelling) == "size"
    assert normalise_word("prize", codebook.language.spelling) == "prize"


def test_apostrophes_and_possessives_are_dropped(codebook: Codebook) -> None:
    spelling = codebook.language.spelling
    assert normalise_word("Didn't", spelling) == "didnt"
    assert normalise_word("didn’t", spelling) == "didnt"
    assert normalise_word("children's", spelling) == "children"


def test_tokens_point_back_into_the_original_text(codebook: Codebook) -> None:
    text = "Jas’s group – didn’t settle. Then, “brilliant” 🎉 rhythms!"
    tokens = tokenize(text, codebook.language.spelling)
    assert [text[t.start : t.end] for t in tokens] == [
        "Jas’s", "group", "didn’t", "settle", "Then", "brilliant", "rhythms",
    ]  # fmt: skip
    assert [t.word for t in tokens][:3] == ["jas", "group", "didnt"]


def test_tokens_record_the_break_before_them(codebook: Codebook) -> None:
    tokens = tokenize("one two, three. four - five", codebook.language.spelling)
    assert [t.boundary for t in tokens] == [SENTENCE, NO_BREAK, CLAUSE, SENTENCE, CLAUSE]


def test_hyphenated_words_are_not_broken_as_clauses(codebook: Codebook) -> None:
    tokens = tokenize("self-esteem", codebook.language.spelling)
    assert [t.word for t in tokens] == ["self", "esteem"]
    assert tokens[1].boundary == NO_BREAK
