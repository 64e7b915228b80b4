"""/mydata and /forget: a tutor can take all their data away, or erase it after a confirming tap."""

import io

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import mydata
from bot.review import button
from bot.state import BotApplication, Context
from handlers.common import PRIVATE, sender_tutor, state


async def send_my_data(update: Update, context: Context) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        content = await mydata.export(session, tutor=tutor) if tutor else None
    if content is None:
        await message.reply_text(app.texts("needs_start"))
        return
    await message.reply_document(
        io.BytesIO(content), filename="my-reflections.json", caption=app.texts("mydata_caption")
    )


async def ask_forget(update: Update, context: Context) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        entries = await mydata.count(session, tutor=tutor) if tutor else None
    if entries is None:
        await message.reply_text(app.texts("needs_start"))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [button(app.texts("forget_yes_button"), "pv:forget")],
            [button(app.texts("forget_no_button"), "pv:keep")],
        ]
    )
    await message.reply_text(app.texts("forget_confirm", count=entries), reply_markup=keyboard)


async def forget(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        files = await mydata.forget(session, tutor=tutor) if tutor else []
    for path in files:
        path.unlink(missing_ok=True)
    await query.answer()
    await query.edit_message_text(app.texts("forgotten"))


async def keep(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    await query.edit_message_text(state(context).texts("forget_cancelled"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mydata", send_my_data, filters=PRIVATE))
    app.add_handler(CommandHandler("forget", ask_forget, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(forget, pattern=r"^pv:forget$"))
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^pv:keep$"))
