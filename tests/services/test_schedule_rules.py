"""The rules behind check-ins that need no bot: reading a session line and a pause date,
quiet hours, and the term dates file."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.services.pause_dates import parse_until
from bot.services.prompt_schedule import QuietHours
from bot.services.schedules import SessionTimes, parse_line, pause_problem
from bot.services.term_dates import TermDatesError, load_term_dates

LONDON = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Tue 15:30 Oakfield Primary", SessionTimes(1, 930, None, "Oakfield Primary")),
        ("Tue 14:30-15:30 Oakfield Primary", SessionTimes(1, 930, 870, "Oakfield Primary")),
        ("tuesday 3:30pm", SessionTimes(1, 930)),
        ("Thu 2:30-3:30pm St Mary's", SessionTimes(3, 930, 870, "St Mary's")),
        ("Mon 10:00 to 11:30, Hall", SessionTimes(0, 690, 600, "Hall")),
        ("Fri 16.00 Amberley", SessionTimes(4, 960, None, "Amberley")),
        ("Sat 12pm", SessionTimes(5, 720)),
    ],
)
def test_a_session_line_is_read_as_a_person_means_it(line: str, expected: SessionTimes) -> None:
    assert parse_line(line) == expected


@pytest.mark.parametrize(
    "line", ["", "sometime after lunch", "Xyz 10:00", "Sun 25:00", "Wed 10:00-09:00", "Fri 15 Oak"]
)
def test_a_line_that_is_not_a_session_is_refused(line: str) -> None:
    assert parse_line(line) is None


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("until 6 January", date(2027, 1, 6)),
        ("6th of Jan", date(2027, 1, 6)),
        ("January 6th", date(2027, 1, 6)),
        ("6 Sept", date(2027, 9, 6)),
        ("sept 6th 2027", date(2027, 9, 6)),
        ("6 January 2028", date(2028, 1, 6)),
        ("6/1", date(2027, 1, 6)),
        ("2027-01-06", date(2027, 1, 6)),
        ("1 December", date(2026, 12, 1)),
        ("Monday", date(2026, 11, 30)),
        ("until next friday", date(2026, 12, 4)),
    ],
)
def test_a_pause_date_is_the_next_one_meant(words: str, expected: date) -> None:
    assert parse_until(words, today=date(2026, 11, 29)) == expected  # a Sunday


def test_a_pause_date_that_makes_no_sense_is_refused() -> None:
    today = date(2026, 11, 29)
    assert parse_until("the cows come home", today) is None
    assert parse_until("31 February", today) is None
    assert parse_until("6 Smarch", today) is None
    assert parse_until("31 June 2027", today) is None
    assert pause_problem(today, today) == "past"
    assert pause_problem(date(2028, 1, 1), today) == "too_far"
    assert pause_problem(date(2027, 1, 6), today) is None


def test_quiet_hours_move_a_prompt_to_the_morning_in_local_time() -> None:
    quiet = QuietHours.parse("21:00-07:00")
    evening = datetime(2027, 3, 27, 21, 10, tzinfo=LONDON)  # the night the clocks go forward
    morning = quiet.move_out(evening, LONDON)
    assert morning == datetime(2027, 3, 28, 7, 0, tzinfo=LONDON)
    assert morning.utcoffset() is not None and morning.utcoffset().total_seconds() == 3600
    early = datetime(2027, 1, 5, 6, 30, tzinfo=LONDON)
    assert quiet.move_out(early, LONDON) == datetime(2027, 1, 5, 7, 0, tzinfo=LONDON)
    afternoon = datetime(2027, 1, 5, 15, 50, tzinfo=LONDON)
    assert quiet.move_out(afternoon, LONDON) == afternoon


def test_quiet_hours_that_do_not_cross_midnight() -> None:
    lunch = QuietHours.parse("12:00-13:00")
    assert lunch.contains(time(12, 30)) and not lunch.contains(time(13, 0))
    none = QuietHours.parse("00:00-00:00")
    assert not none.contains(time(3, 0))


def test_the_shipped_term_dates_offer_half_term_and_next_term() -> None:
    terms = load_term_dates()
    assert terms.after_half_term(date(2026, 11, 29)) == date(2027, 2, 22)
    assert terms.next_term(date(2026, 11, 29)) == date(2027, 1, 5)
    assert terms.after_half_term(date(2026, 10, 27)) == date(2026, 11, 2)  # during half term


def test_a_term_dates_file_out_of_order_is_named(tmp_path: Path) -> None:
    (tmp_path / "term_dates.yaml").write_text(
        "terms:\n  - name: Autumn\n    starts: 2026-09-02\n    half_term_off: 2026-11-02\n"
        "    half_term_back: 2026-10-26\n    ends: 2026-12-18\n",
        encoding="utf-8",
    )
    with pytest.raises(TermDatesError, match=r"term_dates\.yaml.*half_term"):
        load_term_dates(tmp_path)
