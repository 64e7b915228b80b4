"""The codebook file is checked at start-up and every problem names the file and the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tagging.codebook import (
    CODEBOOK_FILE,
    CONTRACT_CODES,
    Codebook,
    CodebookError,
    load_codebook,
)

from .conftest import WriteCodebook, minimal_codebook


def test_bundled_codebook_has_the_contract_codes(codebook: Codebook) -> None:
    kinds = {code.id: code.kind for code in codebook.codes}
    assert {code_id: kinds[code_id] for code_id in CONTRACT_CODES} == CONTRACT_CODES
    assert [code.id for code in codebook.outcomes] == ["personal", "social", "musical"]
    assert len(codebook.challenges) == 9
    assert all(code.label and code.description and code.cues for code in codebook.codes)


def test_get_finds_a_code_by_id(codebook: Codebook) -> None:
    behaviour = codebook.get("behaviour")
    assert behaviour is not None
    assert behaviour.kind == "challenge"
    assert codebook.get("no_such_code") is None


def test_labels_are_short_enough_for_buttons(codebook: Codebook) -> None:
    assert all(len(code.label) <= 24 for code in codebook.codes)


def test_a_minimal_codebook_loads(write_codebook: WriteCodebook) -> None:
    codebook = load_codebook(write_codebook(minimal_codebook()))
    assert codebook.ids == tuple(CONTRACT_CODES)
    assert codebook.source.name == CODEBOOK_FILE


def expect_error(folder: Path, *fragments: str) -> None:
    with pytest.raises(CodebookError) as caught:
        load_codebook(folder)
    message = str(caught.value)
    assert str(folder / CODEBOOK_FILE) in message
    for fragment in fragments:
        assert fragment in message


def test_duplicate_id(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"].append(dict(data["codes"][0]))
    expect_error(write_codebook(data), "'personal'", "duplicate id")


def test_unknown_kind(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][1]["kind"] = "outcomes"
    expect_error(write_codebook(data), "code 'social': kind: Input should be", "(got 'outcomes')")


def test_missing_label(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    del data["codes"][4]["label"]
    expect_error(write_codebook(data), "'behaviour'", "missing label")


def test_bad_regex(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][2]["patterns"] = ["(unclosed"]
    expect_error(write_codebook(data), "'musical'", "bad regex '(unclosed'")


def test_bad_phrase(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][3]["cues"] = ["ab*"]
    expect_error(write_codebook(data), "'attendance'", "too short")


def test_missing_contract_codes(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"] = [c for c in data["codes"] if c["id"] not in {"planning", "wellbeing"}]
    expect_error(write_codebook(data), "required codes missing: planning, wellbeing")


def test_contract_code_of_the_wrong_kind(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][0]["kind"] = "challenge"
    expect_error(write_codebook(data), "'personal'", "kind must be 'outcome'")


def test_misspelt_field(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][5]["cue"] = ["bored"]
    expect_error(write_codebook(data), "'engagement'", "unknown field(s) cue")


def test_bad_weight(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][5]["cues"] = [{"phrase": "bored", "weight": 3}]
    expect_error(write_codebook(data), "'engagement'", "weight")


def test_bad_id(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"].append({"id": "Music Tech", "kind": "outcome", "label": "x", "description": "y"})
    expect_error(write_codebook(data), "codes[12]", "lower_snake_case")


def test_unquoted_yes_or_no_is_explained(tmp_path: Path) -> None:
    (tmp_path / CODEBOOK_FILE).write_text("language:\n  negators: [no, not]\ncodes: []\n")
    expect_error(tmp_path, "language.negators", "False", "quotes")


def test_invalid_yaml(tmp_path: Path) -> None:
    (tmp_path / CODEBOOK_FILE).write_text("codes: [unclosed\n")
    expect_error(tmp_path, "not valid YAML")


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path, "cannot read")


def test_language_settings_are_checked(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["language"]["negation_window"] = 0
    expect_error(write_codebook(data), "language.negation_window", "greater than or equal to 1")


def test_description_and_examples_are_optional(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    del data["codes"][0]["description"]
    codebook = load_codebook(write_codebook(data))
    personal = codebook.get("personal")
    assert personal is not None and personal.description == "" and personal.examples == ()


def test_an_empty_heading_means_none(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][0]["weak_cues"] = None
    assert load_codebook(write_codebook(data)).get("personal") is not None


def test_blank_label(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][4]["label"] = "  "
    expect_error(write_codebook(data), "code 'behaviour': label", "at least 1 character")


def test_not_a_mapping(tmp_path: Path) -> None:
    (tmp_path / CODEBOOK_FILE).write_text("- id: personal\n")
    expect_error(tmp_path, "expected a mapping")


def test_no_codes(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"] = []
    expect_error(write_codebook(data), "codes: must have at least 1 item")


def test_misspelt_top_level_field(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["langauge"] = data.pop("language")
    expect_error(write_codebook(data), "unknown field(s) langauge")


def test_misspelt_cue_option(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][5]["cues"] = [{"phrase": "bored", "wieght": 0.5}]
    expect_error(write_codebook(data), "code 'engagement': cues[0]: unknown field(s) wieght")


def test_bad_about(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][0]["about"] = "everyone"
    expect_error(write_codebook(data), "code 'personal': about", "(got 'everyone')")


def test_word_lists_take_single_words(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["language"]["negators"] = ["not", "not at all"]
    expect_error(write_codebook(data), "language.negators[1]", "must be a single word")


def test_bad_language_phrase(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["language"]["problem_words"] = ["~ problem"]
    expect_error(write_codebook(data), "language.problem_words", "cannot start or end with ~")


def test_spelling_folds_are_text(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["language"]["spelling"] = {"words": {"color": 5}}
    expect_error(write_codebook(data), "language.spelling.words.color", "(got 5)")


def test_a_cue_heading_needs_a_list(write_codebook: WriteCodebook) -> None:
    data = minimal_codebook()
    data["codes"][3]["cues"] = "attendance"
    expect_error(write_codebook(data), "code 'attendance': cues: expected a list")
