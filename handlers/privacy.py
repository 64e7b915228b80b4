"""/mydata and /forget: a tutor can take all their data away, or erase it after a confirming tap."""

import asyncio
import io

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import privacy
from bot.services.identity import Identity
from bot.state import BotApplication, Context
from bot.views.keyboards import button
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import remember, requires


@requires(onboarded=False)
async def send_my_data(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        mine = await privacy.export(session, who=who)
    await message.reply_document(
        io.BytesIO(mine.document),
        filename="my-reflections.json",
        caption=app.texts("mydata_caption"),
    )
    if mine.audio:
        archive = await asyncio.to_thread(privacy.zip_audio, mine.audio)
        await message.reply_document(
            io.BytesIO(archive), filename="my-recordings.zip", caption=app.texts("mydata_audio")
        )


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
