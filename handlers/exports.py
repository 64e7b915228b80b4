"""/export for coordinators: a format, a period, then the file arrives as a document."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.exports.periods import Period, days_of
from bot.exports.run import ExportRequest, Progress, export, zipped_if_large
from bot.services.identity import Identity
from bot.services.schedules import today_for
from bot.state import AppState, BotApplication, Context
from bot.views import exports as views
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import requires
from storage.base import utcnow
from storage.vocabulary import ExportFormat, Role

ZIP_ABOVE_BYTES = 10 * 1024 * 1024
PROGRESS_EVERY_SECONDS = 2.0
FORMATS = "|".join(ExportFormat)
PERIODS = "|".join(Period)


@requires(Role.COORDINATOR)
async def start_export(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    await message.reply_text(
        app.texts("export_pick_format"), reply_markup=views.format_keyboard(app.texts)
    )


@requires(Role.COORDINATOR)
async def export_button(update: Update, context: Context, who: Identity) -> None:
    """Each tap moves the same message on a step; the last one makes the file."""
    app, query = state(context), update.callback_query
    assert query and query.data
    step, *rest = query.data.split(":")[1:]
    await answer_tap(query)
    if step == "start":
        await query.edit_message_text(
            app.texts("export_pick_format"), reply_markup=views.format_keyboard(app.texts)
        )
    elif step == "f":
        keyboard = views.period_keyboard(app.texts, ExportFormat(rest[0]))
        await query.edit_message_text(app.texts("export_pick_period"), reply_markup=keyboard)
    else:
        await _send_export(update, context, who, ExportFormat(rest[0]), Period(rest[1]))


async def _send_export(
    update: Update, context: Context, who: Identity, kind: ExportFormat, period: Period
) -> None:
    app, query = state(context), update.callback_query
    assert query and query.message
    await query.edit_message_text(app.texts("export_working"))
    today = today_for(who, utcnow())
    first, last = days_of(period, today)
    request = ExportRequest(format=kind, first_day=first, last_day=last)
    with tempfile.TemporaryDirectory(prefix="reflect-export-") as folder:
        path = Path(folder) / views.file_name(kind, today.isoformat())
        count = await export(
            app.db,
            request=request,
            path=path,
            codebook=app.codebook,
            actor_telegram_id=who.telegram_user_id,
            timezone=who.timezone,
            progress=_progress_shown_on(update, app),
        )
        if count == 0:
            await query.edit_message_text(app.texts("export_empty"))
            return
        await _deliver(
            update, context, app, zipped_if_large(path, above_bytes=ZIP_ABOVE_BYTES), count, period
        )


async def _deliver(
    update: Update, context: Context, app: AppState, path: Path, count: int, period: Period
) -> None:
    query = update.callback_query
    assert query and query.message
    caption = app.texts(
        "export_caption",
        count=count,
        period=app.texts(f"export_period_{period.name.lower()}").lower(),
    )
    if path.suffix == ".zip":
        caption += " " + app.texts("export_zipped")
    with path.open("rb") as document:
        await context.bot.send_document(
            query.message.chat.id, document, filename=path.name, caption=caption
        )
    await query.edit_message_text(app.texts("export_done", count=count))


def _progress_shown_on(update: Update, app: AppState) -> Progress:
    """Edits the status message now and then, so a long export visibly moves."""
    query = update.callback_query
    assert query
    done, last_shown = 0, time.monotonic()

    async def show(more: int) -> None:
        nonlocal done, last_shown
        done += more
        if time.monotonic() - last_shown >= PROGRESS_EVERY_SECONDS:
            last_shown = time.monotonic()
            await query.edit_message_text(app.texts("export_progress", count=f"{done:,}"))

    return show


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("export", start_export, filters=PRIVATE))
    app.add_handler(
        CallbackQueryHandler(
            export_button, pattern=rf"^ex:(start|f:({FORMATS})|p:({FORMATS}):({PERIODS}))$"
        )
    )
