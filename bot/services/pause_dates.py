"""Reads the date a tutor types after /pause: "until 6 January", "6 Jan", "Monday", "6/1"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.services.weekdays import DAY_NAMES

WEEKDAYS = tuple(name.lower() for name in DAY_NAMES)
FILLER = re.compile(r"\b(?:until|till|til|to|on|the|next|of)\b|(?<=\d)(?:st|nd|rd|th)\b|[,.]", re.I)
WITH_YEAR = ("%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y", "%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")
NO_YEAR = ("%d %B", "%d %b", "%B %d", "%b %d", "%d/%m")


def parse_until(text: str, today: date) -> date | None:
    """The date meant, never in the past: a day and month without a year is the next one."""
    words = " ".join(FILLER.sub(" ", text).split()).lower()
    if not words:
        return None
    for day, name in enumerate(WEEKDAYS):
        if words in (name, name[:3]):
            return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    return _with_year(words) or _next_occurrence(words, today)


def _with_year(words: str) -> date | None:
    for shape in WITH_YEAR:
        try:
            return datetime.strptime(words, shape).date()
        except ValueError:
            continue
    return None


def _next_occurrence(words: str, today: date) -> date | None:
    """Tried in this year and the next, so 29 February and "6 January" in December both work."""
    for shape in NO_YEAR:
        for year in (today.year, today.year + 1):
            try:
                found = datetime.strptime(f"{words} {year}", f"{shape} %Y").date()
            except ValueError:
                continue
            if found >= today:
                return found
    return None
