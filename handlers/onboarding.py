"""/start and consent, then one confirmation of name and time zone with buttons to change either.

Newcomers' typed messages answer what they were asked. Onboarding buttons tapped after setup
only say so: they change nothing.
"""

import logging
import re

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
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
from bot.views import onboarding as views
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import identify, remember, requires
from handlers.groups import join_text

logger = logging.getLogger(__name__)

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
        text, buttons = views.consent_question(app, user.first_name, code)
        await message.reply_text(text, reply_markup=buttons)
    elif who.onboarded and code:
        await message.reply_text(await join_text(app, who, code))
    elif who.onboarded:
        await message.reply_text(app.texts("already_onboarded", name=who.display_name))
    else:
        if code:
            async with app.db.transaction() as session:
                await groups.remember_invite(session, who=who, code=code)
        await _send(update, views.step_question(app, who))


def _invite_code(context: Context) -> str | None:
    """Telegram passes a deep link's payload as the only argument; anything else is ignored."""
    args = context.args or []
    return args[0] if len(args) == 1 and INVITE_SHAPE.fullmatch(args[0]) else None


async def _send(update: Update, question: views.Question) -> None:
    assert update.effective_chat
    text, buttons = question
    await update.effective_chat.send_message(text, reply_markup=buttons)


async def consent(update: Update, context: Context) -> None:
    """Records consent and keeps the welcome in the chat, dated, in place of its buttons."""
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
        agreed = await onboarding.give_consent(
            session, user_id=user.id, first_name=user.first_name, defaults=defaults
        )
        if code and not agreed.who.onboarded:
            await groups.remember_invite(session, who=agreed.who, code=code)
    who = agreed.who
    remember(context, who)
    await answer_tap(query)
    record = views.consent_record(
        app, user.first_name, agreed_at=agreed.agreed_at, version=agreed.version, zone=who.timezone
    )
    await _settle(query, record)
    if who.onboarded:
        assert update.effective_chat
        text = app.texts("already_onboarded", name=who.display_name)
        await update.effective_chat.send_message(text)
    else:
        await _send(update, views.step_question(app, who))


async def decline(update: Update, context: Context) -> None:
    """ "Not now": nothing is kept of them, not even a coordinator's naming them as a lead."""
    query = update.callback_query
    assert query and update.effective_chat
    async with state(context).db.transaction() as session:
        await groups.forget_naming(session, telegram_user_id=query.from_user.id)
    await answer_tap(query)
    await _settle(query)
    await update.effective_chat.send_message(state(context).texts("consent_declined"))


@requires(onboarded=False)
async def confirm(update: Update, context: Context, who: Identity) -> None:
    """Tapping "That's right": set up, then into any group a deep link or a coordinator named."""
    app = state(context)
    query, chat = update.callback_query, update.effective_chat
    assert query and chat
    async with app.db.transaction() as session:
        done = await onboarding.confirm(session, who=who)
    if done is None:
        await _stale(query, app)
        return
    remember(context, done)
    await answer_tap(query)
    await _settle(query)
    await chat.send_message(app.texts("onboarding_done", name=done.display_name))
    await _join_waiting_groups(app, done, chat.id, context)


@requires(onboarded=False)
async def change_name(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    async with app.db.transaction() as session:
        moved = await onboarding.reopen(session, who=who)
    await _moved(update, context, moved, views.name_question)


@requires(onboarded=False)
async def change_timezone(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    async with app.db.transaction() as session:
        moved = await onboarding.ask_timezone(session, who=who)
    await _moved(update, context, moved, views.timezone_question)


@requires(onboarded=False)
async def back_to_confirmation(update: Update, context: Context, who: Identity) -> None:
    """Tapping "Keep …" or an older one-tap answer: the confirmation again, nothing changed."""
    app = state(context)
    async with app.db.transaction() as session:
        moved = await onboarding.reopen(session, who=who)
    await _moved(update, context, moved, views.confirmation)


async def _moved(
    update: Update, context: Context, who: Identity | None, question: views.Asker
) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    if who is None:
        await _stale(query, app)
        return
    remember(context, who)
    await answer_tap(query)
    await _settle(query)
    await _send(update, question(app.texts, who))


async def _stale(query: CallbackQuery, app: AppState) -> None:
    """An onboarding button tapped after setup: say so, and take its buttons away."""
    await answer_tap(query, app.texts("onboarding_stale"), alert=True)
    await _settle(query)


async def _settle(query: CallbackQuery, text: str | None = None) -> None:
    """Takes a tapped message's buttons away, keeping or replacing its text.

    A repeated tap (or a redelivered one) finds it already so; Telegram calls that an error.
    """
    try:
        if text is None:
            await query.edit_message_reply_markup(reply_markup=None)
        else:
            await query.edit_message_text(text, reply_markup=None)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise
        logger.info("an onboarding message was already settled")


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
    """A typed name or time zone, then the confirmation again (or the zone we did not know)."""
    app = state(context)
    async with app.db.transaction() as session:
        result = await onboarding.answer_step(session, who=who, answer=answer)
    if result is None:
        return
    remember(context, result.who)
    if result.rejected is not None:
        await _send(update, views.timezone_unknown(app.texts, result.who, result.rejected))
    else:
        await _send(update, views.confirmation(app.texts, result.who))


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
    app.add_handler(CallbackQueryHandler(confirm, pattern=r"^onb:ok$"))
    app.add_handler(CallbackQueryHandler(change_name, pattern=r"^onb:cn$"))
    app.add_handler(CallbackQueryHandler(change_timezone, pattern=r"^onb:ctz$"))
    app.add_handler(CallbackQueryHandler(back_to_confirmation, pattern=r"^onb:(keep|name|tz)$"))
    app.add_handler(
        MessageHandler(PRIVATE & ~filters.COMMAND, newcomer_message), group=ONBOARDING_GROUP
    )
