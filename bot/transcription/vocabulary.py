"""The coordinator's word list in `prompts/vocabulary.yaml`, handed to the recogniser as hints."""

from __future__ import annotations

from pathlib import Path

from pydantic import model_validator

from bot.datafile import DataModel, Items, Text, duplicates, load_model
from prompts import PROMPTS_DIR

VOCABULARY_FILE = "vocabulary.yaml"
MAX_WORDS = 150  # a Whisper prompt holds about 220 tokens; more words only crowd each other out


class VocabularyError(Exception):
    """The vocabulary file is unusable; the message names the file and the problem."""


class Vocabulary(DataModel):
    """Sections are for the people editing the file; the recogniser sees one flat list."""

    instruments: Items[Text] = ()
    musical_terms: Items[Text] = ()
    school_and_send_terms: Items[Text] = ()
    service_names: Items[Text] = ()

    @model_validator(mode="after")
    def _sensible_size(self) -> Vocabulary:
        repeated = duplicates(word.casefold() for word in self.words)
        if repeated:
            raise ValueError(f"{', '.join(repeated)} listed more than once")
        if len(self.words) > MAX_WORDS:
            raise ValueError(f"{len(self.words)} words: keep it to {MAX_WORDS} at most")
        return self

    @property
    def words(self) -> tuple[str, ...]:
        """Every entry once, in file order, which is the order a prompt lists them."""
        sections = (
            self.instruments,
            self.musical_terms,
            self.school_and_send_terms,
            self.service_names,
        )
        return tuple(word for section in sections for word in section)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The default file beside the other prompts, unless a setting names another."""
    return load_model(path or PROMPTS_DIR / VOCABULARY_FILE, Vocabulary, error=VocabularyError)


HINT_OPENING = "Notes from a music lesson with "


def as_hint(words: tuple[str, ...]) -> str | None:
    """Whisper copies the style of text it is given, so the list is framed as a sentence."""
    return HINT_OPENING + ", ".join(words) + "." if words else None
