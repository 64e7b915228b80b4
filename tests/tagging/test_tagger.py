"""The tagger on short, targeted sentences: negation, spelling, transcripts, evidence, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.tagging.codebook import Codebook, load_codebook
from bot.tagging.dataset import DEV_SET, load_examples
from bot.tagging.tagger import Tagger

from .conftest import WriteCodebook, minimal_codebook


def applied(tagger: Tagger, text: str) -> set[str]:
    return set(tagger.tag(text).applied)


def test_every_code_gets_a_verdict_in_codebook_order(tagger: Tagger, codebook: Codebook) -> None:
    result = tagger.tag("Lovely session.")
    assert list(result.codes) == list(codebook.ids)
    for code in codebook.codes:
        match = result.codes[code.id]
        assert (match.code, match.kind) == (code.id, code.kind)
        assert 0.0 <= match.confidence <= 1.0
        assert match.applies == (match.confidence >= codebook.language.threshold)


def test_outcomes_and_challenges_are_split_by_kind(tagger: Tagger) -> None:
    result = tagger.tag("They worked together brilliantly, but only four turned up.")
    assert result.outcomes == ("social",)
    assert result.challenges == ("attendance",)


@pytest.mark.parametrize(
    ("negated", "plain", "code"),
    [
        ("No behaviour issues today.", "Behaviour was a real issue today.", "behaviour"),
        ("Nobody was absent.", "Two of them were absent.", "attendance"),
        (
            "Didn't have any problems with the room.",
            "The room was far too cramped for the drums.",
            "resources",
        ),
        ("There was no disruption at all.", "Lots of disruption at the back.", "disruption"),
        ("They weren't confident yet.", "They were really confident.", "personal"),
        ("No one was upset or anxious this week.", "She was anxious all session.", "wellbeing"),
        ("No problem with engagement this week.", "They were bored stiff.", "engagement"),
    ],
)
def test_negation_cancels_a_cue(tagger: Tagger, negated: str, plain: str, code: str) -> None:
    code = "behaviour" if code == "disruption" else code
    assert code not in applied(tagger, negated)
    assert code in applied(tagger, plain)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Only two turned up, the rest didn't turn up at all.", "attendance"),
        ("No one turned up this week.", "attendance"),
        ("They just wouldn't settle after wet play.", "behaviour"),
        ("They weren't interested in the recorders.", "engagement"),
        ("We had no keyboards again.", "resources"),
        ("The iPads hadn't been charged.", "resources"),
    ],
)
def test_some_cues_only_count_when_negated(tagger: Tagger, text: str, code: str) -> None:
    assert code in applied(tagger, text)


def test_a_negation_inside_a_cue_is_part_of_it(tagger: Tagger) -> None:
    assert "personal" in applied(tagger, "She kept dropping the beat but never gave up.")


@pytest.mark.parametrize(
    ("american", "british"),
    [
        ("Behavior was really challenging today.", "Behaviour was really challenging today."),
        ("She has practiced at home every night.", "She has practised at home every night."),
        ("They were so focused on the rhythm.", "They were so focussed on the rhythm."),
    ],
)
def test_american_and_british_spellings_tag_alike(
    tagger: Tagger, american: str, british: str
) -> None:
    assert applied(tagger, american) == applied(tagger, british) != set()


def test_unpunctuated_transcripts_bound_negation_by_words(tagger: Tagger) -> None:
    text = (
        "um so no behaviour issues today which made a nice change and honestly i think "
        "the group were really focused and they kept a steady pulse the whole way through"
    )
    assert applied(tagger, text) == {"personal", "musical"}


def test_negation_reaches_only_a_few_words_without_punctuation(tagger: Tagger) -> None:
    text = "there was no drama at all really just a lovely calm group and they were so confident"
    assert "personal" in applied(tagger, text)


def test_the_tutor_speaking_of_themselves_is_not_a_pupil_outcome(tagger: Tagger) -> None:
    assert applied(tagger, "I felt really nervous before the session.") == {"tutor_support"}
    assert "personal" not in applied(tagger, "I was proud of how I handled it.")
    assert "personal" in applied(tagger, "I think she felt really proud.")


def test_so_after_a_verb_intensifies_instead_of_ending_the_clause(tagger: Tagger) -> None:
    text = "i was honestly so nervous going in because i'd never taught a secondary group"
    assert applied(tagger, text) == {"tutor_support"}
    assert "personal" in applied(tagger, "She was so proud of her solo.")


def test_the_nearest_subject_decides_who_a_cue_is_about(tagger: Tagger) -> None:
    assert "social" not in applied(tagger, "I played the wrong chords in front of the class.")
    assert "social" in applied(tagger, "She played her song in front of the class.")
    assert "personal" not in applied(tagger, "Really proud of myself for getting through it.")
    assert "personal" in applied(tagger, "I helped her and she was really proud of herself.")


def test_safeguarding_words_count_even_when_the_tutor_acts(tagger: Tagger) -> None:
    assert "wellbeing" in applied(tagger, "He was very low today so I spoke to the DSL.")


def test_a_cue_with_its_own_negation_survives_an_earlier_one(tagger: Tagger) -> None:
    text = "the group were all over the place i had zero control and didnt know what to do"
    assert {"behaviour", "tutor_support"} <= applied(tagger, text)


@pytest.mark.parametrize(
    ("text", "code", "expected"),
    [
        ("i ran out of time to do the second piece", "behaviour", False),
        ("He ran out of the room when the drums started.", "behaviour", True),
        ("The laptop died halfway through.", "wellbeing", False),
        ("Her nan died last week.", "wellbeing", True),
        ("I had to send two out for fighting.", "additional_needs", False),
        ("Three SEND pupils joined the group.", "additional_needs", True),
        ("She seemed a bit down and wouldn't say why.", "wellbeing", True),
        ("The minibus driver was off the road.", "attendance", False),
        ("Two were off sick.", "attendance", True),
    ],
)
def test_ambiguous_words_count_only_in_their_sense(
    tagger: Tagger, text: str, code: str, expected: bool
) -> None:
    assert (code in applied(tagger, text)) is expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("nobody could concentrate today", "engagement"),
        ("they were glued to their phones the entire time", "engagement"),
        ("the reception staff had no idea I was coming", "partnership"),
        ("the head pulled half the class out for nativity practice", "partnership"),
        ("we've got one working mic between twelve of them", "resources"),
        ("i get them for twenty minutes which is nowhere near long enough", "resources"),
        ("kids were bouncing off the walls after the disco", "behaviour"),
        ("she's really found her feet in the group now", "personal"),
        ("the older ones took the new starters under their wing", "social"),
        ("their strumming has got so much cleaner", "musical"),
        ("We never got past the warm-up.", "planning"),
        ("No one at the hub I can ask about any of this.", "tutor_support"),
    ],
)
def test_everyday_wordings_of_each_code(tagger: Tagger, text: str, code: str) -> None:
    assert code in applied(tagger, text)


def test_a_problem_just_before_an_outcome_cue_cancels_it(tagger: Tagger) -> None:
    assert "social" not in applied(tagger, "He found it really hard to wait his turn.")
    assert "social" in applied(tagger, "He waited his turn on the drum kit.")


@pytest.mark.parametrize(
    "text",
    ["", "   ", "Nothing much to report. Normal session.", "🎶🎶", "ok", "Keeping it brief."],
)
def test_entries_with_nothing_to_tag(tagger: Tagger, text: str) -> None:
    result = tagger.tag(text)
    assert result.applied == ()
    assert all(not match.evidence for match in result.codes.values())


@pytest.mark.parametrize(
    ("text", "code", "spans"),
    [
        ("Two boys kicked off over the drums.", "behaviour", ["kicked off"]),
        ("The keyboards are broken again.", "resources", ["keyboards", "broken"]),
        ("Attendance is a real problem.", "attendance", ["Attendance", "problem"]),
        ("They didn’t turn up.", "attendance", ["turn up"]),
        ("Ruby helped Tom find the fret.", "social", ["Ruby helped Tom"]),
    ],
)
def test_evidence_spans_are_the_cues_in_the_original_text(
    tagger: Tagger, text: str, code: str, spans: list[str]
) -> None:
    match = tagger.tag(text).codes[code]
    assert match.applies
    assert [text[start:end] for start, end in match.evidence] == spans


def test_evidence_spans_sit_on_word_boundaries_in_every_dev_entry(tagger: Tagger) -> None:
    for example in load_examples(DEV_SET):
        text = example.text
        for match in tagger.tag(text).codes.values():
            for start, end in match.evidence:
                assert 0 <= start < end <= len(text), example.id
                assert start == 0 or not text[start - 1].isalnum(), (example.id, text[start:end])
                assert end == len(text) or not text[end].isalnum(), (example.id, text[start:end])


def test_repeating_a_weak_cue_does_not_make_it_strong(tagger: Tagger) -> None:
    result = tagger.tag("Song after song after song.")
    assert not result.codes["musical"].applies
    assert len(result.codes["musical"].evidence) == 3


def test_a_coordinator_can_add_a_code_in_yaml(bundled_copy: Path) -> None:
    path = bundled_copy / "codebook.yaml"
    path.write_text(
        path.read_text("utf-8")
        + """
  - id: music_technology
    kind: outcome
    label: "💻 Music technology"
    description: Confidence with apps, loopers and recording gear.
    cues:
      - garageband
      - loop pedal*
      - music tech*
    weak_cues:
      - ipad*
""",
        "utf-8",
    )
    codebook = load_codebook(bundled_copy)
    assert codebook.outcomes[-1].id == "music_technology"
    text = "They built loops in GarageBand on the iPads."
    result = Tagger(codebook).tag(text)
    assert "music_technology" in result.outcomes
    spans = [text[a:b] for a, b in result.codes["music_technology"].evidence]
    assert spans == ["GarageBand", "iPads"]


def test_a_minimal_codebook_tags_with_its_own_cues(write_codebook: WriteCodebook) -> None:
    tagger = Tagger(load_codebook(write_codebook(minimal_codebook())))
    assert tagger.tag("Some tutor support please, and never attendance.").applied == (
        "tutor_support",
    )


def test_tagging_is_fast(tagger: Tagger, capsys: pytest.CaptureFixture[str]) -> None:
    texts = [example.text for example in load_examples(DEV_SET)][:100]
    started = time.perf_counter()
    for text in texts:
        tagger.tag(text)
    per_entry = (time.perf_counter() - started) / len(texts)
    with capsys.disabled():
        print(f"\ntagger: {1000 * per_entry:.2f} ms per entry over {len(texts)} entries")
    assert per_entry < 1.0


def test_an_activity_named_is_not_a_musical_outcome(tagger: Tagger) -> None:
    assert "musical" not in applied(tagger, "We did the strum pattern and worked on the groove.")
    assert "musical" in applied(tagger, "We did the strum pattern and they kept a steady pulse.")
    assert "musical" in applied(tagger, "He did the rhythm perfectly on his own.")


def test_the_tutor_feeling_confident_is_no_challenge(tagger: Tagger) -> None:
    assert "tutor_support" not in applied(tagger, "I felt really confident leading today.")
    assert "personal" not in applied(tagger, "Felt much more confident in my own playing.")
    assert "tutor_support" in applied(tagger, "I'm not confident teaching the drums.")


def test_a_denied_problem_is_no_missing_kit(tagger: Tagger) -> None:
    assert "resources" not in applied(tagger, "No kit problems this week.")
    assert "resources" in applied(tagger, "No kit again, so we sang.")
