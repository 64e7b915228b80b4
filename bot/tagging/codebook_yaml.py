"""Turns the codebook YAML into checked dataclasses, naming the file and code for every problem."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.tagging.codes import (
    CONTRACT_CODES,
    About,
    Code,
    Codebook,
    CodebookError,
    Cue,
    Language,
    Need,
)
from bot.tagging.fields import (
    as_about,
    as_count,
    as_kind,
    as_list,
    as_mapping,
    as_number,
    check_keys,
    required_text,
    string_list,
)
from bot.tagging.phrases import Phrase, parse_phrase
from bot.tagging.text import WORD, Spelling, normalise_word

logger = logging.getLogger(__name__)

CUE_LISTS: dict[str, Need] = {
    "cues": "none",
    "weak_cues": "none",
    "when_negated": "negation",
    "near_problem": "problem",
    "when_lacking": "lack",
    "about_me": "first_person",
    "patterns": "none",
}
CODE_FIELDS = frozenset({"id", "kind", "label", "description", "examples", "about", *CUE_LISTS})
LANGUAGE_FIELDS = frozenset(
    {
        "threshold", "weights", "negation_window", "context_window", "subject_window",
        "negators", "negation_exceptions", "scope_breakers", "problem_words",
        "first_person", "hedges", "spelling", "activity_frames", "activity_window",
    }
)  # fmt: skip
ID_SHAPE = re.compile(r"^[a-z][a-z0-9_]*$")


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """The file's top-level mapping, or a CodebookError that says why it can't be read."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CodebookError(f"{path}: cannot read the codebook ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise CodebookError(f"{path}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise CodebookError(f"{path}: expected a mapping with 'language' and 'codes'")
    return data


def parse_codebook(data: Mapping[str, Any], path: Path) -> Codebook:
    """Checks the whole file: shared rules first, then each code, then the contract ids."""
    check_keys(data, frozenset({"version", "language", "codes"}), f"{path}")
    language_data = as_mapping(data.get("language") or {}, f"{path}: language")
    language = parse_language(language_data, path)
    weights = _weights(language_data.get("weights") or {}, path)
    entries = data.get("codes")
    if not isinstance(entries, list) or not entries:
        raise CodebookError(f"{path}: 'codes' must be a non-empty list")
    codes = tuple(_parse_code(entry, n, language, weights, path) for n, entry in enumerate(entries))
    _check_unique(codes, path)
    _check_contract(codes, path)
    return Codebook(codes=codes, language=language, source=path)


def parse_language(data: Mapping[str, Any], path: Path) -> Language:
    """The rules every code shares; spelling comes first because the word lists use it."""
    where = f"{path}: language"
    check_keys(data, LANGUAGE_FIELDS, where)
    spelling = _spelling(data.get("spelling") or {}, f"{where}.spelling")
    return Language(
        spelling=spelling,
        negators=_word_set(data, "negators", spelling, where),
        negation_exceptions=_phrases(data, "negation_exceptions", spelling, where),
        scope_breakers=_word_set(data, "scope_breakers", spelling, where),
        problem_words=_phrases(data, "problem_words", spelling, where),
        first_person=_word_set(data, "first_person", spelling, where),
        hedges=_word_set(data, "hedges", spelling, where),
        activity_frames=_phrases(data, "activity_frames", spelling, where),
        activity_window=as_count(data.get("activity_window", 8), f"{where}.activity_window"),
        threshold=as_number(data.get("threshold", 0.5), f"{where}.threshold", 0.01, 1.0),
        negation_window=as_count(data.get("negation_window", 4), f"{where}.negation_window"),
        context_window=as_count(data.get("context_window", 5), f"{where}.context_window"),
        subject_window=as_count(data.get("subject_window", 3), f"{where}.subject_window"),
    )


def _spelling(data: object, where: str) -> Spelling:
    mapping = as_mapping(data, where)
    check_keys(mapping, frozenset({"words", "prefixes"}), where)
    words = _string_pairs(mapping.get("words") or {}, f"{where}.words")
    prefixes = _string_pairs(mapping.get("prefixes") or {}, f"{where}.prefixes")
    return Spelling(words=dict(words), prefixes=tuple(prefixes))


def _string_pairs(data: object, where: str) -> list[tuple[str, str]]:
    mapping = as_mapping(data, where)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise CodebookError(f"{where}: every entry must be 'american: british' text")
    return [(key.lower(), value.lower()) for key, value in mapping.items()]


def _word_set(data: Mapping[str, Any], key: str, spelling: Spelling, where: str) -> frozenset[str]:
    words = set()
    for text in string_list(data.get(key) or [], f"{where}.{key}"):
        if len(WORD.findall(text)) != 1:
            raise CodebookError(f"{where}.{key}: {text!r} must be a single word")
        words.add(normalise_word(text, spelling))
    return frozenset(words)


def _phrases(
    data: Mapping[str, Any], key: str, spelling: Spelling, where: str
) -> tuple[Phrase, ...]:
    texts = string_list(data.get(key) or [], f"{where}.{key}")
    return tuple(_phrase(text, spelling, f"{where}.{key}") for text in texts)


def _phrase(text: str, spelling: Spelling, where: str) -> Phrase:
    try:
        return parse_phrase(text, spelling)
    except ValueError as error:
        raise CodebookError(f"{where}: {error}") from None


def _weights(data: object, path: Path) -> dict[str, float]:
    where = f"{path}: language.weights"
    mapping = as_mapping(data, where)
    check_keys(mapping, frozenset({"cue", "weak"}), where)
    return {
        "cue": as_number(mapping.get("cue", 0.8), f"{where}.cue", 0.01, 1.0),
        "weak": as_number(mapping.get("weak", 0.35), f"{where}.weak", 0.01, 1.0),
    }


def _parse_code(
    entry: object, index: int, language: Language, weights: dict[str, float], path: Path
) -> Code:
    data = as_mapping(entry, f"{path}: codes[{index}]")
    code_id = data.get("id")
    if not isinstance(code_id, str) or not ID_SHAPE.match(code_id):
        raise CodebookError(f"{path}: codes[{index}]: 'id' must be lower_snake_case text")
    where = f"{path}: code {code_id!r}"
    check_keys(data, CODE_FIELDS, where)
    kind = as_kind(data.get("kind"), where)
    about = as_about(data.get("about", "pupils" if kind == "outcome" else "anyone"), where)
    return Code(
        id=code_id,
        kind=kind,
        label=required_text(data, "label", where),
        description=required_text(data, "description", where),
        examples=tuple(string_list(data.get("examples") or [], f"{where}: examples")),
        cues=_cues(data, about, language, weights, where),
    )


def _cues(
    data: Mapping[str, Any],
    about: About,
    language: Language,
    weights: dict[str, float],
    where: str,
) -> tuple[Cue, ...]:
    cues = []
    for key, need in CUE_LISTS.items():
        weight = weights["weak" if key == "weak_cues" else "cue"]
        for entry in as_list(data.get(key) or [], f"{where}: {key}"):
            spec = _CueSpec(entry, weight, about, key == "patterns", f"{where}: {key}")
            cues.append(spec.build(need, language.spelling))
    return tuple(cues)


class _CueSpec:
    """One YAML cue entry: plain text, or a mapping that also sets `weight` or `about`."""

    def __init__(
        self, entry: object, weight: float, about: About, is_regex: bool, where: str
    ) -> None:
        self.where, self.is_regex = where, is_regex
        if isinstance(entry, str):
            self.text, self.weight, self.about = entry, weight, about
            self.after_activity = False
            return
        if not isinstance(entry, Mapping):
            raise CodebookError(
                f"{where}: {entry!r} is not text (put words like no, on, off in quotes)"
            )
        data = entry
        text_key = "regex" if is_regex else "phrase"
        check_keys(data, frozenset({text_key, "weight", "about", "after_activity"}), where)
        self.text = required_text(data, text_key, where)
        self.weight = as_number(data.get("weight", weight), f"{where}: weight", 0.01, 1.0)
        self.about = as_about(data.get("about", about), where)
        self.after_activity = data.get("after_activity", False) is True

    def build(self, need: Need, spelling: Spelling) -> Cue:
        if self.is_regex:
            return Cue(
                self.text, self.weight, need, self.about, self.after_activity, regex=self._regex()
            )
        phrase = _phrase(self.text, spelling, self.where)
        return Cue(self.text, self.weight, need, self.about, self.after_activity, phrase=phrase)

    def _regex(self) -> re.Pattern[str]:
        try:
            return re.compile(self.text, re.IGNORECASE)
        except re.error as error:
            raise CodebookError(f"{self.where}: bad regex {self.text!r} ({error})") from None


def _check_unique(codes: tuple[Code, ...], path: Path) -> None:
    seen: set[str] = set()
    for code in codes:
        if code.id in seen:
            raise CodebookError(f"{path}: code {code.id!r}: duplicate id")
        seen.add(code.id)


def _check_contract(codes: tuple[Code, ...], path: Path) -> None:
    kinds = {code.id: code.kind for code in codes}
    missing = [code_id for code_id in CONTRACT_CODES if code_id not in kinds]
    if missing:
        raise CodebookError(f"{path}: required codes missing: {', '.join(missing)}")
    for code_id, kind in CONTRACT_CODES.items():
        if kinds[code_id] != kind:
            raise CodebookError(f"{path}: code {code_id!r}: kind must be {kind!r}")
