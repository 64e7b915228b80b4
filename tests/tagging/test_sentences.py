"""Sentences for evidence: split on end marks and lines, long runs cut, offsets exact."""

from __future__ import annotations

from bot.tagging.sentences import MAX_WORDS, sentence_spans


def pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_splits_on_end_marks_and_new_lines() -> None:
    text = "Lovely session.  Two were absent!\nNext week: rounds? yes"
    assert pieces(text) == ["Lovely session.", "Two were absent!", "Next week: rounds?", "yes"]


def test_an_unpunctuated_transcript_is_cut_into_runs() -> None:
    text = " ".join(f"w{i}" for i in range(MAX_WORDS * 2 + 3))
    runs = pieces(text)
    assert [len(run.split()) for run in runs] == [MAX_WORDS, MAX_WORDS, 3]
    assert runs[1].startswith(f"w{MAX_WORDS} ")


def test_nothing_to_split() -> None:
    assert sentence_spans("") == ()
    assert sentence_spans("  \n ") == ()
