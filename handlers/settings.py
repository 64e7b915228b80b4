"""/settings: who sees a new reflection by default, asked again before it is the group."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.services import preferences
from bot.services.entries import needs_confirmation
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.views.keyboards import LEVEL_LETTERS, LEVELS_BY_LETTER, TICKED, button
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import requires
from storage.vocabulary import SHARE_ORDER, ShareLevel

LETTERS = "".join(LEVELS_BY_LETTER)


def _text(app: AppState, who: Identity, level: ShareLevel) -> str:
    return app.texts("settings_view", share=app.texts(f"share_{level}"), timezone=who.timezone)


def _picker(app: AppState, current: ShareLevel) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(
                    (TICKED if level == current else "") + app.texts(f"share_{level}"),
                    f"set:sh:{LEVEL_LETTERS[level]}",
                )
            ]
            for level in SHARE_ORDER
        ]
    )


@requires()
async def show_settings(update: Update, context: Context, who: Identity) -> None:
    app, message = state(context), update.effective_message
    assert message
    level = who.default_share_level
    await message.reply_text(_text(app, who, level), reply_markup=_picker(app, level))


@requires()
async def pick_default(update: Update, context: Context, who: Identity) -> None:
    """A default that shows every new entry to the group is confirmed first."""
    app, query = state(context), update.callback_query
    assert query and query.data
    _, step, letter = query.data.split(":")
    level = LEVELS_BY_LETTER[letter]
    await answer_tap(query)
    if step == "sh" and needs_confirmation(who.default_share_level, level):
        question = app.texts(f"settings_confirm_{level}")
        keyboard = InlineKeyboardMarkup(
            [
                [button(app.texts(f"share_yes_{level}"), f"set:shy:{letter}")],
                [
                    button(
                        app.texts("share_no_button"),
                        f"set:sh:{LEVEL_LETTERS[who.default_share_level]}",
                    )
                ],
            ]
        )
        await query.edit_message_text(question, reply_markup=keyboard)
        return
    async with app.db.transaction() as session:
        await preferences.set_default_share(session, who=who, level=level)
    await query.edit_message_text(_text(app, who, level), reply_markup=_picker(app, level))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("settings", show_settings, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(pick_default, pattern=rf"^set:shy?:[{LETTERS}]$"))
