"""Day and month names in English, once, for every module that reads or writes them."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

# Not calendar.day_name or strptime's %B: those follow the server's locale, and the bot speaks British English.
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SHORT_NAMES = tuple(name[:3] for name in DAY_NAMES)
# Other ways tutors shorten them, beside the full name and its first three letters.
EXTRA_SHORT = {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}


def day_numbers() -> dict[str, int]:
    """Lower-case name or short name → Monday-based day number, for reading what tutors type."""
    names = {name.lower(): day for day, name in enumerate(DAY_NAMES)}
    short = {name.lower(): day for day, name in enumerate(SHORT_NAMES)}
    return {**names, **short, **EXTRA_SHORT}


MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def month_numbers() -> dict[str, int]:
    """Lower-case month name or its first three letters (and "sept") → 1 to 12."""
    names = {name.lower(): month for month, name in enumerate(MONTH_NAMES, 1)}
    short = {name[:3].lower(): month for month, name in enumerate(MONTH_NAMES, 1)}
    return {**names, **short, "sept": 9}
