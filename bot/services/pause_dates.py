"""Reads the date a tutor types after /pause: "until 6 January", "6 Jan", "Monday", "6/1"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from bot.services.calendar_names import DAY_NAMES, month_numbers

WEEKDAYS = tuple(name.lower() for name in DAY_NAMES)
MONTHS = month_numbers()
FILLER = re.compile(r"\b(?:until|till|til|to|on|the|next|of)\b|(?<=\d)(?:st|nd|rd|th)\b|[,.]", re.I)
# "6 january", "january 6", either with a year after: month names in English whatever the locale
NAMED = re.compile(r"(?:(?P<day>\d{1,2}) (?P<month>[a-z]+)|(?P<month2>[a-z]+) (?P<day2>\d{1,2}))")
YEAR = re.compile(r" (?P<year>\d{4})$")
WITH_YEAR = ("%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d")
NO_YEAR = ("%d/%m",)


def parse_until(text: str, today: date) -> date | None:
    """The date meant, never in the past: a day and month without a year is the next one."""
    words = " ".join(FILLER.sub(" ", text).split()).lower()
    if not words:
        return None
    for day, name in enumerate(WEEKDAYS):
        if words in (name, name[:3]):
            return today + timedelta(days=(day - today.weekday() - 1) % 7 + 1)
    words = _numeric(words)
    return _with_year(words) or _next_occurrence(words, today)


def _numeric(words: str) -> str:
    """Reads "6 january [2027]" or "january 6 [2027]" as "6/1[/2027]": one path for every date."""
    year = YEAR.search(words)
    named = NAMED.fullmatch(words[: year.start()] if year else words)
    month = MONTHS.get(named.group("month") or named.group("month2")) if named else None
    if named is None or month is None:
        return words
    day = named.group("day") or named.group("day2")
    return f"{day}/{month}" + (f"/{year.group('year')}" if year else "")


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
