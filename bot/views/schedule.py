"""How a tutor's teaching week looks in the chat, and the buttons that build it in a few taps.

Callback data: `sc:<action>[:args]` for the week, `pz:<date>` for a pause.
"""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardMarkup

from bot.services.calendar_names import DAY_NAMES
from bot.services.schedules import SessionTimes, TeachingWeek
from bot.views.groups import DAYS, clock_time
from bot.views.keyboards import button
from bot.views.texts import Texts
from storage.models import TeachingSession
from storage.vocabulary import ReminderStyle

HOURS = tuple(range(8, 21))
QUARTERS = (0, 15, 30, 45)
TICKED = "✅ "
LONG_DAYS = DAY_NAMES


def session_label(row: TeachingSession | SessionTimes) -> str:
    """`Tue 14:30–15:30 · Oakfield Primary`, or `Tue until 15:30` when only the end is known."""
    day = DAYS[row.weekday]
    when = f"{day} until {_hours(row)}" if row.starts_minute is None else f"{day} {_hours(row)}"
    return f"{when} · {row.place}" if row.place else when


def session_name(row: TeachingSession) -> str:
    """What a tutor calls a session: its place, or else its day and time."""
    return row.place or f"{LONG_DAYS[row.weekday]} {_hours(row)}"


def _hours(row: TeachingSession | SessionTimes) -> str:
    ends = clock_time(row.ends_minute)
    return ends if row.starts_minute is None else f"{clock_time(row.starts_minute)}–{ends}"


def long_day(day: date) -> str:
    """`Tuesday 6 January`: how people say a date."""
    return f"{day:%A} {day.day} {day:%B}"


def week_text(texts: Texts, week: TeachingWeek, *, delay_minutes: int, today: date) -> str:
    lines = [texts("schedule_session", session=session_label(row)) for row in week.sessions]
    how = texts(f"schedule_how_{week.style}", delay=f"{delay_minutes} minutes")
    if week.paused_until is not None and week.paused_until > today:
        how += "\n" + texts("schedule_paused", day=long_day(week.paused_until))
    return texts("schedule_view", sessions="\n".join(lines) or texts("schedule_empty"), how=how)


def week_keyboard(texts: Texts, week: TeachingWeek) -> InlineKeyboardMarkup:
    rows = [
        [button(texts("schedule_remove_button", session=session_label(row)), f"sc:rm:{row.id}")]
        for row in week.sessions
    ]
    rows.append([button(texts("schedule_add_button"), "sc:add")])
    rows.append(
        [
            button(
                (TICKED if style == week.style else "") + texts(f"schedule_style_{style}"),
                f"sc:st:{style}",
            )
            for style in ReminderStyle
        ]
    )
    return InlineKeyboardMarkup(rows)


def day_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    days = [button(name, f"sc:d:{number}") for number, name in enumerate(DAYS)]
    return InlineKeyboardMarkup([days[:4], days[4:], [button(texts("cancel_button"), "sc:show")]])


def hour_keyboard(texts: Texts, weekday: int) -> InlineKeyboardMarkup:
    hours = [button(f"{hour:02d}:…", f"sc:h:{weekday}:{hour}") for hour in HOURS]
    rows = [hours[i : i + 4] for i in range(0, len(hours), 4)]
    return InlineKeyboardMarkup([*rows, [button(texts("back_button"), "sc:add")]])


def minute_keyboard(texts: Texts, weekday: int, hour: int) -> InlineKeyboardMarkup:
    minutes = [
        button(clock_time(hour * 60 + m), f"sc:m:{weekday}:{hour * 60 + m}") for m in QUARTERS
    ]
    return InlineKeyboardMarkup([minutes, [button(texts("back_button"), f"sc:d:{weekday}")]])


def pause_keyboard(texts: Texts, choices: list[tuple[str, date]]) -> InlineKeyboardMarkup:
    """One button per offered date; each carries its date, so an old one can't change meaning."""
    rows = [[button(label, f"pz:{until.isoformat()}")] for label, until in choices]
    return InlineKeyboardMarkup([*rows, [button(texts("cancel_button"), "pz:no")]])
