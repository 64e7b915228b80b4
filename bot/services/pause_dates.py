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
    year = YEAR.search(words)
    named = NAMED.fullmatch(words[: year.start()] if year else words)
    if named:
        return _named(named, int(year.group("year")) if year else None, today)
    return _with_year(words) or _next_occurrence(words, today)


def _named(found: re.Match[str], year: int | None, today: date) -> date | None:
    """A day and a month name; with no year, the next such day from today."""
    month = MONTHS.get(found.group("month") or found.group("month2"))
    day = int(found.group("day") or found.group("day2"))
    if month is None:
        return None
    for candidate in (year,) if year else (today.year, today.year + 1):
        try:
            meant = date(candidate, month, day)
        except ValueError:
            continue
        if year or meant >= today:
            return meant
    return None


def _with_year(words: str) -> date | None:
    for shape in WITH_YEAR:
        try:
            return datetime.strptime(words, shape).date()
        except ValueError:
            continue
    return None


def _next_occurrence(words: str, today: date) -> date | None:
    """Tried in this year and the next, so 29 February and "6/1" in December both work."""
    for shape in NO_YEAR:
        for year in (today.year, today.year + 1):
            try:
                found = datetime.strptime(f"{words} {year}", f"{shape} %Y").date()
            except ValueError:
                continue
            if found >= today:
                return found
    return None
