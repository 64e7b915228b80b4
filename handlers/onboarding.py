"""/start, the consent button, then name and time zone; also the gate for not-yet-onboarded senders."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot import onboarding
from bot.state import BotApplication, Context
from handlers.common import PRIVATE, sender_tutor, state

GATE_GROUP = -2  # before everything else, including guided answers (-1)


async def start(update: Update, context: Context) -> None:
    app = state(context)
    assert update.effective_user and update.effective_message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        step = tutor.onboarding_step if tutor else None
        name = tutor.display_name if tutor else ""
    if step is None:
        await _ask_consent(update, context)
    elif step == onboarding.STEP_DONE:
        await update.effective_message.reply_text(app.texts("already_onboarded", name=name))
    else:
        await _ask_step(update, context, step, name)


async def _ask_consent(update: Update, context: Context) -> None:
    texts = state(context).texts
    assert update.effective_user and update.effective_message
    buttons = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts("consent_button"), callback_data="onb:consent")],
            [InlineKeyboardButton(texts("consent_decline_button"), callback_data="onb:decline")],
        ]
    )
    welcome = texts("welcome", first_name=update.effective_user.first_name)
    await update.effective_message.reply_text(welcome, reply_markup=buttons)


async def _ask_step(update: Update, context: Context, step: str, name: str) -> None:
    texts = state(context).texts
    chat = update.effective_chat
    assert chat and update.effective_user
    if step == onboarding.STEP_NAME:
        first = update.effective_user.first_name
        button = InlineKeyboardButton(texts("name_button", name=first), callback_data="onb:name")
        await chat.send_message(
            texts("consent_given"), reply_markup=InlineKeyboardMarkup([[button]])
        )
    else:
        zone = state(context).settings.default_timezone
        label = texts("timezone_default_button", timezone=zone)
        button = InlineKeyboardButton(label, callback_data="onb:tz")
        await chat.send_message(
            texts("name_saved", name=name), reply_markup=InlineKeyboardMarkup([[button]])
        )


async def consent(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query and update.effective_user
    async with app.db.transaction() as session:
        tutor = await onboarding.give_consent(
            session,
            user_id=update.effective_user.id,
            first_name=update.effective_user.first_name,
            settings=app.settings,
        )
        step, name = tutor.onboarding_step, tutor.display_name
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _ask_step(update, context, step, name)


async def decline(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await query.message.reply_text(state(context).texts("consent_declined"))  # type: ignore[union-attr]


async def use_telegram_name(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query and update.effective_user
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _answer_step(update, context, update.effective_user.first_name)


async def use_default_timezone(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    await _answer_step(update, context, state(context).settings.default_timezone)


async def gate(update: Update, context: Context) -> None:
    """Stops messages from people who have not finished onboarding, answering their step."""
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
    if onboarding.is_onboarded(tutor):
        return
    if tutor is None:
        await message.reply_text(app.texts("needs_start"))
    elif message.text:
        await _answer_step(update, context, message.text)
    else:
        await message.reply_text(app.texts("finish_onboarding"))
    raise ApplicationHandlerStop


async def _answer_step(update: Update, context: Context, answer: str) -> None:
    """Applies an answer to whichever step the tutor is on, then asks the next thing."""
    app = state(context)
    chat = update.effective_chat
    assert chat
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        if tutor is None or tutor.onboarding_step == onboarding.STEP_DONE:
            return
        if tutor.onboarding_step == onboarding.STEP_NAME:
            onboarding.save_name(tutor, answer)
            reply = None
        elif onboarding.save_timezone(tutor, answer):
            reply = app.texts("onboarding_done", name=tutor.display_name)
        else:
            reply = app.texts("timezone_unknown", value=answer[:60])
        step, name = tutor.onboarding_step, tutor.display_name
    if reply is None:
        await _ask_step(update, context, step, name)
    else:
        await chat.send_message(reply)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(consent, pattern=r"^onb:consent$"))
    app.add_handler(CallbackQueryHandler(decline, pattern=r"^onb:decline$"))
    app.add_handler(CallbackQueryHandler(use_telegram_name, pattern=r"^onb:name$"))
    app.add_handler(CallbackQueryHandler(use_default_timezone, pattern=r"^onb:tz$"))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND, gate), group=GATE_GROUP)
