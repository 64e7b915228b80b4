"""The codebook file's shape as pydantic models, and the step that compiles it into cues."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Self

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from bot.datafile import DataModel, Identifier, Items, Text, duplicates
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
from bot.tagging.phrases import Phrase, parse_phrase
from bot.tagging.text import WORD, Spelling, normalise_word
from storage.vocabulary import TagKind

# Each cue list, in the order the tagger has always seen them, and the context it needs.
CUE_LISTS: dict[str, Need] = {
    "cues": "none",
    "weak_cues": "none",
    "when_negated": "negation",
    "near_problem": "problem",
    "when_lacking": "lack",
    "about_me": "first_person",
    "patterns": "none",
}


def _one_word(text: str) -> str:
    if len(WORD.findall(text)) != 1:
        raise ValueError(f"{text!r} must be a single word")
    return text


def _wrap(key: str) -> Callable[[object], object]:
    """A cue may be plain text or a mapping; plain text is the mapping's `key`."""
    return lambda entry: entry if isinstance(entry, dict) else {key: entry}


Weight = Annotated[float, Field(ge=0.01, le=1.0)]
Window = Annotated[int, Field(ge=1, le=20)]
Word = Annotated[str, AfterValidator(_one_word)]


class Weights(DataModel):
    """How much one cue and one weak cue count towards the threshold."""

    cue: Weight = 0.8
    weak: Weight = 0.35


class SpellingFolds(DataModel):
    """American spellings folded to British: whole words, and word starts."""

    words: Mapping[str, str] = {}
    prefixes: Mapping[str, str] = {}


class LanguageFile(DataModel):
    """The rules every code shares; the word lists are folded with `spelling`."""

    threshold: Weight = 0.5
    weights: Weights = Weights()
    negation_window: Window = 4
    context_window: Window = 5
    subject_window: Window = 3
    activity_window: Window = 8
    negators: Items[Word] = ()
    negation_exceptions: Items[Text] = ()
    scope_breakers: Items[Word] = ()
    problem_words: Items[Text] = ()
    first_person: Items[Word] = ()
    hedges: Items[Word] = ()
    activity_frames: Items[Text] = ()
    spelling: SpellingFolds = SpellingFolds()


class CueOptions(DataModel):
    """What a mapping cue may change; unset values come from its code and the weights."""

    weight: Weight | None = None
    about: About | None = None
    after_activity: bool = False


class PhraseCue(CueOptions):
    """A cue in the phrase syntax of `bot.tagging.phrases`."""

    phrase: Text


class RegexCue(CueOptions):
    """A cue under `patterns`: a case-insensitive Python regular expression."""

    regex: Text


PhraseEntry = Annotated[PhraseCue, BeforeValidator(_wrap("phrase"))]
RegexEntry = Annotated[RegexCue, BeforeValidator(_wrap("regex"))]


class CodeFile(DataModel):
    """One code as written; `description` and `examples` are for people, not the tagger."""

    id: Identifier
    # Written as plain text in the file, so read leniently into the enum.
    kind: Annotated[TagKind, Field(strict=False)]
    label: Text
    description: Text = ""
    examples: Items[Text] = ()
    about: About | None = None
    cues: Items[PhraseEntry] = ()
    weak_cues: Items[PhraseEntry] = ()
    when_negated: Items[PhraseEntry] = ()
    near_problem: Items[PhraseEntry] = ()
    when_lacking: Items[PhraseEntry] = ()
    about_me: Items[PhraseEntry] = ()
    patterns: Items[RegexEntry] = ()


class CodebookFile(DataModel):
    """The whole file; the contract codes are what exports and evaluations depend on."""

    version: int = 1
    language: LanguageFile = LanguageFile()
    codes: Annotated[Items[CodeFile], Field(min_length=1)]

    @model_validator(mode="after")
    def _contract(self) -> Self:
        """Ids are stable keys, and the contract codes must exist with their agreed kind."""
        repeated = duplicates(code.id for code in self.codes)
        if repeated:
            raise ValueError(f"code {repeated[0]!r}: duplicate id")
        kinds = {code.id: code.kind for code in self.codes}
        missing = [code_id for code_id in CONTRACT_CODES if code_id not in kinds]
        if missing:
            raise ValueError(f"required codes missing: {', '.join(missing)}")
        for code_id, kind in CONTRACT_CODES.items():
            if kinds[code_id] != kind:
                raise ValueError(f"code {code_id!r}: kind must be {kind.value!r}")
        return self


def build_codebook(file: CodebookFile, path: Path) -> Codebook:
    """Compiles the checked file; only phrase syntax and regexes can still be wrong here."""
    language = _language(file.language, path)
    codes = tuple(
        _code(code, file.language.weights, language.spelling, path) for code in file.codes
    )
    return Codebook(codes=codes, language=language, source=path)


def _language(data: LanguageFile, path: Path) -> Language:
    """Spelling comes first because the word lists are folded with it."""
    spelling = Spelling(
        words={key.lower(): value.lower() for key, value in data.spelling.words.items()},
        prefixes=tuple(
            (key.lower(), value.lower()) for key, value in data.spelling.prefixes.items()
        ),
    )

    def words(texts: tuple[str, ...]) -> frozenset[str]:
        return frozenset(normalise_word(text, spelling) for text in texts)

    def phrases(key: str, texts: tuple[str, ...]) -> tuple[Phrase, ...]:
        return tuple(_phrase(text, spelling, f"{path}: language.{key}") for text in texts)

    return Language(
        spelling=spelling,
        negators=words(data.negators),
        negation_exceptions=phrases("negation_exceptions", data.negation_exceptions),
        scope_breakers=words(data.scope_breakers),
        problem_words=phrases("problem_words", data.problem_words),
        first_person=words(data.first_person),
        hedges=words(data.hedges),
        activity_frames=phrases("activity_frames", data.activity_frames),
        threshold=data.threshold,
        negation_window=data.negation_window,
        context_window=data.context_window,
        subject_window=data.subject_window,
        activity_window=data.activity_window,
    )


def _code(data: CodeFile, weights: Weights, spelling: Spelling, path: Path) -> Code:
    """A cue's own weight and subject win over its list's weight and its code's subject."""
    about: About = data.about or ("pupils" if data.kind == TagKind.OUTCOME else "anyone")
    cues: list[Cue] = []
    for key, need in CUE_LISTS.items():
        weight = weights.weak if key == "weak_cues" else weights.cue
        where = f"{path}: code {data.id!r}: {key}"
        for entry in getattr(data, key):
            if isinstance(entry, RegexCue):
                text, phrase, regex = entry.regex, None, _regex(entry.regex, where)
            else:
                text, phrase, regex = entry.phrase, _phrase(entry.phrase, spelling, where), None
            options = (entry.weight or weight, need, entry.about or about, entry.after_activity)
            cues.append(Cue(text, *options, phrase, regex))
    return Code(data.id, data.kind, data.label, data.description, data.examples, tuple(cues))


def _phrase(text: str, spelling: Spelling, where: str) -> Phrase:
    try:
        return parse_phrase(text, spelling)
    except ValueError as error:
        raise CodebookError(f"{where}: {error}") from None


def _regex(text: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        raise CodebookError(f"{where}: bad regex {text!r} ({error})") from None
