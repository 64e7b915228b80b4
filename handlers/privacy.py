"""/mydata and /forget: a tutor can take all their data away, or erase it after a confirming tap.

/mydata sends it twice: JSON for other apps, and a page a phone can open.
"""

import asyncio
import io
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import privacy
from bot.services.identity import Identity
from bot.state import BotApplication, Context
from bot.telegram_errors import maybe_delivered
from bot.views import mydata
from bot.views.keyboards import button
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import remember, requires

logger = logging.getLogger(__name__)


@requires(onboarded=False)
async def send_my_data(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        mine = await privacy.export(session, who=who)
    await _send_file(message, mine.document, "my-reflections.json", app.texts("mydata_caption"))
    page = mydata.page(app.texts, app.codebook, mine.data)
    await _send_file(message, page, "my-reflections.html", app.texts("mydata_page_caption"))
    if mine.audio:
        archive = await asyncio.to_thread(privacy.zip_audio, mine.audio)
        await _send_file(message, archive, "my-recordings.zip", app.texts("mydata_audio"))


async def _send_file(message: Message, content: bytes, name: str, caption: str) -> None:
    """One of several files: an answer that came too late most likely arrived, so go on."""
    try:
        await message.reply_document(io.BytesIO(content), filename=name, caption=caption)
    except TelegramError as error:
        if not maybe_delivered(error):
            raise
        logger.warning("Telegram answered too late sending %s; most likely it arrived", name)


@requires(onboarded=False)
async def ask_forget(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        entries = await privacy.count(session, who=who)
    keyboard = InlineKeyboardMarkup(
        [
            [button(app.texts("forget_yes_button"), "pv:forget")],
            [button(app.texts("forget_no_button"), "pv:keep")],
        ]
    )
    await message.reply_text(app.texts("forget_confirm", count=entries), reply_markup=keyboard)


@requires(onboarded=False)
async def forget(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        files = await privacy.forget(session, who=who)
    remember(context, None)
    await privacy.remove_files(files)
    await answer_tap(query)
    await query.edit_message_text(app.texts("forgotten"))


async def keep(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await answer_tap(query)
    await query.edit_message_text(state(context).texts("forget_cancelled"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mydata", send_my_data, filters=PRIVATE))
    app.add_handler(CommandHandler("forget", ask_forget, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(forget, pattern=r"^pv:forget$"))
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^pv:keep$"))
