"""/start, the consent button, then name and time zone; newcomers' messages answer their step."""

import re

from telegram import Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services import groups, onboarding
from bot.services.identity import Identity, resolve
from bot.state import AppState, BotApplication, Context
from bot.views.onboarding import consent_question, step_question
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import identify, remember, requires
from handlers.groups import join_text

INVITE_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,32}")
ONBOARDING_GROUP = -2  # before everything else, including guided answers (-1)


async def start(update: Update, context: Context) -> None:
    """Open to everyone: strangers get the consent question, others see where they are.

    `/start CODE` comes from a group's invite link: the code is used once they are set up.
    """
    app = state(context)
    message, user = update.effective_message, update.effective_user
    assert message and user
    who = await identify(update, context)
    code = _invite_code(context)
    if who is None:
        text, buttons = consent_question(app, user.first_name, code)
        await message.reply_text(text, reply_markup=buttons)
    elif who.onboarded and code:
        await message.reply_text(await join_text(app, who, code))
    elif who.onboarded:
        await message.reply_text(app.texts("already_onboarded", name=who.display_name))
    else:
        if code:
            async with app.db.transaction() as session:
                await groups.remember_invite(session, who=who, code=code)
        await _ask_step(update, app, who)


def _invite_code(context: Context) -> str | None:
    """Telegram passes a deep link's payload as the only argument; anything else is ignored."""
    args = context.args or []
    return args[0] if len(args) == 1 and INVITE_SHAPE.fullmatch(args[0]) else None


async def _ask_step(update: Update, app: AppState, who: Identity) -> None:
    assert update.effective_chat
    text, buttons = step_question(app, who)
    await update.effective_chat.send_message(text, reply_markup=buttons)


async def consent(update: Update, context: Context) -> None:
    app = state(context)
    query, user = update.callback_query, update.effective_user
    assert query and query.data and user
    code = query.data.removeprefix("onb:consent").removeprefix(":") or None
    defaults = onboarding.NewcomerDefaults(
        app.settings.default_timezone,
        app.settings.default_share_level,
        app.settings.coordinator_ids,
    )
    async with app.db.transaction() as session:
        who = await onboarding.give_consent(
            session, user_id=user.id, first_name=user.first_name, defaults=defaults
        )
        if code and not who.onboarded:
            await groups.remember_invite(session, who=who, code=code)
    remember(context, who)
    await answer_tap(query)
    await query.edit_message_reply_markup(reply_markup=None)
    if who.onboarded:
        assert update.effective_chat
        text = app.texts("already_onboarded", name=who.display_name)
        await update.effective_chat.send_message(text)
    else:
        await _ask_step(update, app, who)


async def decline(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query and update.effective_chat
    await answer_tap(query)
    await query.edit_message_reply_markup(reply_markup=None)
    await update.effective_chat.send_message(state(context).texts("consent_declined"))


@requires(onboarded=False)
async def use_suggested_name(update: Update, context: Context, who: Identity) -> None:
    await _tapped_answer(update, context, who, who.display_name)


@requires(onboarded=False)
async def use_default_timezone(update: Update, context: Context, who: Identity) -> None:
    await _tapped_answer(update, context, who, state(context).settings.default_timezone)


async def _tapped_answer(update: Update, context: Context, who: Identity, answer: str) -> None:
    query = update.callback_query
    assert query
    await answer_tap(query)
    await query.edit_message_reply_markup(reply_markup=None)
    await _answer_step(update, context, who, answer)


@requires(onboarded=False)
async def newcomer_message(update: Update, context: Context, who: Identity) -> None:
    """Until onboarding is done, a typed message answers the open step; nothing else is kept."""
    message = update.effective_message
    assert message
    if who.onboarded:
        return
    if message.text:
        await _answer_step(update, context, who, message.text)
    else:
        await message.reply_text(state(context).texts("finish_onboarding"))
    raise ApplicationHandlerStop


async def _answer_step(update: Update, context: Context, who: Identity, answer: str) -> None:
    """Applies the answer to whichever step the tutor is on, then asks the next thing."""
    app = state(context)
    chat = update.effective_chat
    assert chat
    async with app.db.transaction() as session:
        result = await onboarding.answer_step(session, who=who, answer=answer)
    if result is None:
        return
    remember(context, result.who)
    if result.rejected is not None:
        await chat.send_message(app.texts("timezone_unknown", value=result.rejected[:60]))
    elif result.who.onboarded:
        await chat.send_message(app.texts("onboarding_done", name=result.who.display_name))
        await _join_waiting_groups(app, result.who, chat.id, context)
    else:
        await _ask_step(update, app, result.who)


async def _join_waiting_groups(
    app: AppState, who: Identity, chat_id: int, context: Context
) -> None:
    """The group a deep link named, and any a coordinator made them lead of, once set up."""
    async with app.db.transaction() as session:
        names = await groups.after_onboarding(session, who=who)
        refreshed = await resolve(session, telegram_user_id=who.telegram_user_id)
    remember(context, refreshed)
    if names:
        quoted = ", ".join(f'"{name}"' for name in names)
        await context.bot.send_message(chat_id, app.texts("joined_after_setup", names=quoted))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("start", start, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(consent, pattern=r"^onb:consent(:[A-Za-z0-9_-]{1,32})?$"))
    app.add_handler(CallbackQueryHandler(decline, pattern=r"^onb:decline$"))
    app.add_handler(CallbackQueryHandler(use_suggested_name, pattern=r"^onb:name$"))
    app.add_handler(CallbackQueryHandler(use_default_timezone, pattern=r"^onb:tz$"))
    app.add_handler(
        MessageHandler(PRIVATE & ~filters.COMMAND, newcomer_message), group=ONBOARDING_GROUP
    )
