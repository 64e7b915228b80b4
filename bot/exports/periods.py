"""The periods /export offers, as first and last local days."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

SCHOOL_YEAR_STARTS = (9, 1)  # 1 September


class Period(StrEnum):
    LAST_30_DAYS = "30d"
    SCHOOL_YEAR = "year"
    EVERYTHING = "all"


def days_of(period: Period, today: date) -> tuple[date | None, date | None]:
    if period == Period.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if period == Period.SCHOOL_YEAR:
        month, day = SCHOOL_YEAR_STARTS
        year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
        return date(year, month, day), today
    return None, None
