"""The identity gate: every handler that needs a person says which roles it admits.

The gate resolves who is asking once per update (consent, onboarding, role), hands the
handler a typed `Identity`, and turns anyone else away kindly and the same way everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.services.identity import Identity, resolve
from bot.services.limits import COMMANDS, RECORDINGS, Limit
from bot.state import Context
from bot.views.onboarding import step_question
from handlers.common import answer_tap, state
from storage.vocabulary import Role

GatedHandler = Callable[[Update, Context, Identity], Awaitable[None]]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]

EVERYONE = frozenset(Role)


async def identify(update: Update, context: Context) -> Identity | None:
    """Who sent this update; asked of the database once, however many handlers want to know."""
    if not context.identity_known:
        user = update.effective_user
        if user is not None:
            async with state(context).db.transaction() as session:
                context.identity = await resolve(session, telegram_user_id=user.id)
        context.identity_known = True
    return context.identity


def remember(context: Context, who: Identity | None) -> None:
    """A handler that changed who someone is (consent, onboarding) tells later handlers."""
    context.identity, context.identity_known = who, True


def requires(*roles: Role, onboarded: bool = True) -> Callable[[GatedHandler], Callback]:
    """Admits consented people with one of `roles` (anyone, if none are named)."""
    allowed = frozenset(roles) or EVERYONE

    def decorate(handler: GatedHandler) -> Callback:
        @functools.wraps(handler)
        async def gated(update: Update, context: Context) -> None:
            who = await identify(update, context)
            if who is None or (onboarded and not who.onboarded) or who.role not in allowed:
                await _refuse(update, context, who)
                raise ApplicationHandlerStop
            if not await within_limits(update, context):
                raise ApplicationHandlerStop
            await handler(update, context, who)

        return gated

    return decorate


async def within_limits(update: Update, context: Context) -> bool:
    """Commands and recordings are rate-limited per person; asked once per update."""
    if context.within_limits is None:
        context.within_limits = True
        limited = _limited_kind(update)
        user, chat = update.effective_user, update.effective_chat
        if limited is not None and user is not None:
            kind, limit = limited
            limits = state(context).limits
            context.within_limits = limits.allow(user.id, kind, limit)
            if not context.within_limits and chat and limits.first_refusal(user.id, kind):
                await chat.send_message(state(context).texts("slow_down"))
    return context.within_limits


def _limited_kind(update: Update) -> tuple[str, Limit] | None:
    """Recordings cost transcription time and commands cost replies; plain text is free."""
    message = update.message
    if message is None:
        return None
    if message.voice or message.audio or message.video_note or message.document:
        return "recording", RECORDINGS
    if message.text and message.text.startswith("/"):
        return "command", COMMANDS
    return None


async def _refuse(update: Update, context: Context, who: Identity | None) -> None:
    """Strangers are asked to /start, newcomers to finish setting up, others told it's not theirs."""
    texts = state(context).texts
    if who is None:
        text = texts("needs_start")
    elif not who.onboarded:
        text = texts("finish_onboarding")
    else:
        text = texts("not_allowed")
    query = update.callback_query
    if query is not None:
        await answer_tap(query, text, alert=True)
        return
    chat = update.effective_chat
    if chat is None:
        return
    await chat.send_message(text)
    if who is not None and not who.onboarded:
        question, buttons = step_question(state(context), who)
        await chat.send_message(question, reply_markup=buttons)
