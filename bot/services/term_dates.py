"""School terms from `prompts/term_dates.yaml`, so /pause can offer "until after half term"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import model_validator

from bot.datafile import DataModel, Items, Text, load_model
from prompts import PROMPTS_DIR

TERMS_FILE = "term_dates.yaml"


class TermDatesError(Exception):
    """The term dates file is unusable; the message names the file and the term."""


class Term(DataModel):
    name: Text
    starts: date
    half_term_off: date
    half_term_back: date
    ends: date

    @model_validator(mode="after")
    def _in_order(self) -> Term:
        if not self.starts < self.half_term_off < self.half_term_back <= self.ends:
            raise ValueError("dates must run starts < half_term_off < half_term_back <= ends")
        return self


class TermDates(DataModel):
    terms: Items[Term]

    @model_validator(mode="after")
    def _terms_in_order(self) -> TermDates:
        for earlier, later in zip(self.terms, self.terms[1:], strict=False):
            if later.starts <= earlier.ends:
                raise ValueError(f"{later.name} must start after {earlier.name} ends")
        return self

    def after_half_term(self, today: date) -> date | None:
        """The first day back after the next half-term break (or the one under way)."""
        return next((t.half_term_back for t in self.terms if t.half_term_back > today), None)

    def next_term(self, today: date) -> date | None:
        """The first day of the next term: what "for the rest of term" pauses until."""
        return next((t.starts for t in self.terms if t.starts > today), None)


def load_term_dates(prompts_dir: Path | None = None) -> TermDates:
    path = (prompts_dir or PROMPTS_DIR) / TERMS_FILE
    return load_model(path, TermDates, error=TermDatesError)
