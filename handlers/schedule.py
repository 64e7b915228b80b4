"""The tutor's teaching week: /schedule, /pause, /resume, and the buttons under a check-in."""

from __future__ import annotations

from datetime import date, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import schedules
from bot.services.identity import Identity
from bot.services.pause_dates import parse_until
from bot.state import AppState, BotApplication, Context
from bot.views import schedule as views
from bot.views.groups import DAYS
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import requires
from handlers.guided import begin_set
from storage.base import utcnow
from storage.vocabulary import ReminderStyle

MINUTES_IN_DAY = 24 * 60
STYLES = "|".join(ReminderStyle)


def _args(context: Context) -> str:
    return " ".join(context.args or []).strip()


def _today(who: Identity) -> date:
    return schedules.today_for(who, utcnow())


async def _week_screen(app: AppState, who: Identity) -> tuple[str, InlineKeyboardMarkup]:
    async with app.db.transaction() as session:
        week = await schedules.week(session, who=who)
    delay = app.settings.prompt_delay_minutes
    text = views.week_text(app.texts, week, delay_minutes=delay, today=_today(who))
    return text, views.week_keyboard(app.texts, week)


@requires()
async def schedule(update: Update, context: Context, who: Identity) -> None:
    """With no words, the week and its buttons; with a line, that session added."""
    app, message = state(context), update.effective_message
    assert message
    line, note = _args(context), ""
    if line:
        times = schedules.parse_line(line)
        if times is None:
            await message.reply_text(app.texts("schedule_usage"))
            return
        note = await _added_text(app, who, times)
    text, keyboard = await _week_screen(app, who)
    await message.reply_text(_with_note(note, text), reply_markup=keyboard)


async def _added_text(app: AppState, who: Identity, times: schedules.SessionTimes) -> str:
    async with app.db.transaction() as session:
        added = await schedules.add(session, who=who, times=times)
    if added == schedules.Added.FULL:
        return app.texts("schedule_full", limit=schedules.MAX_SESSIONS)
    if added == schedules.Added.DUPLICATE:
        return app.texts("schedule_duplicate")
    return app.texts("schedule_added", session=views.session_label(times))


async def _redraw(update: Update, app: AppState, who: Identity, note: str = "") -> None:
    query = update.callback_query
    assert query
    text, keyboard = await _week_screen(app, who)
    await query.edit_message_text(_with_note(note, text), reply_markup=keyboard)


def _with_note(note: str, text: str) -> str:
    """What just happened, above the week as it now stands."""
    return f"{note}\n\n{text}" if note else text


def _parts(update: Update) -> list[str]:
    assert update.callback_query and update.callback_query.data
    return update.callback_query.data.split(":")[1:]


@requires()
async def week_button(update: Update, context: Context, who: Identity) -> None:
    """show, rm and st: each changes at most one thing, then shows the week as it stands."""
    app, query = state(context), update.callback_query
    assert query
    action, *rest = _parts(update)
    await answer_tap(query)
    note = ""
    async with app.db.transaction() as session:
        if action == "rm":
            removed = await schedules.remove(session, who=who, session_id=int(rest[0]))
            note = (
                app.texts("schedule_removed", session=views.session_label(removed))
                if removed
                else app.texts("schedule_gone")
            )
        elif action == "st":
            await schedules.set_style(session, who=who, style=ReminderStyle(rest[0]))
    await _redraw(update, app, who, note)


@requires()
async def add_button(update: Update, context: Context, who: Identity) -> None:
    """add → day → hour → minute: four taps, each step its own message state."""
    app, query = state(context), update.callback_query
    assert query
    action, *rest = _parts(update)
    numbers = [int(part) for part in rest]
    await answer_tap(query)
    if action == "add":
        text, keyboard = app.texts("schedule_pick_day"), views.day_keyboard(app.texts)
    elif action == "d":
        day = DAYS[numbers[0]]
        text = app.texts("schedule_pick_hour", day=day)
        keyboard = views.hour_keyboard(app.texts, numbers[0])
    elif action == "h":
        text = app.texts("schedule_pick_minute", day=DAYS[numbers[0]])
        keyboard = views.minute_keyboard(app.texts, numbers[0], numbers[1])
    elif numbers[1] < MINUTES_IN_DAY:
        times = schedules.SessionTimes(weekday=numbers[0], ends_minute=numbers[1])
        await _redraw(update, app, who, await _added_text(app, who, times))
        return
    else:
        return
    await query.edit_message_text(text, reply_markup=keyboard)


@requires()
async def pause(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    words = _args(context)
    if not words:
        await message.reply_text(app.texts("pause_pick"), reply_markup=_pause_keyboard(app, who))
        return
    until = parse_until(words, _today(who))
    await message.reply_text(
        app.texts("pause_bad_date") if until is None else await _pause_text(app, who, until)
    )


def _pause_keyboard(app: AppState, who: Identity) -> InlineKeyboardMarkup:
    today = _today(who)
    choices = [(app.texts("pause_week_button"), today + timedelta(days=7))]
    terms = app.term_dates
    for key, until in (
        ("pause_half_term_button", terms.after_half_term(today) if terms else None),
        ("pause_term_button", terms.next_term(today) if terms else None),
    ):
        if until is not None:
            choices.append((app.texts(key, day=views.long_day(until)), until))
    return views.pause_keyboard(app.texts, choices)


async def _pause_text(app: AppState, who: Identity, until: date) -> str:
    problem = schedules.pause_problem(until, _today(who))
    if problem is not None:
        return app.texts(f"pause_{problem}")
    async with app.db.transaction() as session:
        await schedules.pause(session, who=who, until=until)
    return app.texts("paused", day=views.long_day(until))


@requires()
async def pause_button(update: Update, context: Context, who: Identity) -> None:
    """Each button carries its own date, so an old one still means what it said."""
    app, query = state(context), update.callback_query
    assert query
    (choice,) = _parts(update)
    await answer_tap(query)
    if choice == "no":
        await query.edit_message_reply_markup(reply_markup=None)
        return
    try:
        until = date.fromisoformat(choice)
    except ValueError:
        return
    await query.edit_message_text(await _pause_text(app, who, until))


@requires()
async def resume(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    async with app.db.transaction() as session:
        was_paused = await schedules.resume(session, who=who, today=_today(who))
    await message.reply_text(app.texts("resumed" if was_paused else "resume_not_paused"))


@requires()
async def check_in_button(update: Update, context: Context, who: Identity) -> None:
    """Under a check-in: the full reflection, or a pause; harmless however late it is tapped."""
    app, query = state(context), update.callback_query
    assert query and query.message
    action, *rest = _parts(update)
    await answer_tap(query)
    if action == "pause":
        await context.bot.send_message(
            query.message.chat.id, app.texts("pause_pick"), reply_markup=_pause_keyboard(app, who)
        )
    elif rest and rest[0] in app.prompt_sets:
        await begin_set(update, app, who, rest[0], query.message.message_id)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("schedule", schedule, filters=PRIVATE))
    app.add_handler(CommandHandler("pause", pause, filters=PRIVATE))
    app.add_handler(CommandHandler("resume", resume, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(week_button, pattern=rf"^sc:(show|rm:\d+|st:({STYLES}))$"))
    app.add_handler(
        CallbackQueryHandler(
            add_button, pattern=r"^sc:(add|d:[0-6]|h:[0-6]:\d{1,2}|m:[0-6]:\d{1,4})$"
        )
    )
    app.add_handler(CallbackQueryHandler(pause_button, pattern=r"^pz:(no|\d{4}-\d{2}-\d{2})$"))
    app.add_handler(CallbackQueryHandler(check_in_button, pattern=r"^nd:(pause|set:[a-z_]+)$"))
