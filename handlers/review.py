"""Buttons under an entry: tick tags, choose who sees it (asked again before the group sees
it), done, correct, delete (asked first). The text below the entry's rule follows each tap."""

import contextlib

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler

from bot.services import entries, privacy
from bot.services.entries import Review, ReviewChange, ReviewPanel
from bot.services.identity import Identity
from bot.state import AppState, BotApplication, Context
from bot.views import keyboards
from bot.views.review import correction_prompt, with_summary
from handlers.common import answer_tap, state
from handlers.gate import requires

LETTERS = "".join(keyboards.LEVELS_BY_LETTER)


def _parts(update: Update) -> list[str]:
    """`rv:<action>:<reflection id>[:<code or level>][:<expanded>]` split into its pieces."""
    assert update.callback_query and update.callback_query.data
    return update.callback_query.data.split(":")


def _reflection_id(update: Update) -> int:
    return int(_parts(update)[2])


def _expanded(update: Update) -> bool:
    return _parts(update)[-1] == "1"


async def _apply(update: Update, context: Context, who: Identity, change: ReviewChange) -> None:
    """Applies one tap as the entry's author and redraws from the database."""
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        review = await entries.change_review(
            session,
            who=who,
            reflection_id=_reflection_id(update),
            change=change,
            codebook=app.codebook,
        )
    if review is None:
        await answer_tap(query, app.texts("not_found"), alert=True)
        return
    await answer_tap(query)
    await _redraw(update, app, review, keyboard=True)


async def _redraw(update: Update, app: AppState, review: Review, *, keyboard: bool) -> None:
    """The entry's own text, the words for its state, and (unless it is done) its buttons."""
    query = update.callback_query
    assert query and query.message
    body = getattr(query.message, "text", None) or ""
    markup = keyboards.review_keyboard(app.texts, app.codebook, review) if keyboard else None
    with contextlib.suppress(BadRequest):  # a double tap: nothing left to change
        await query.edit_message_text(
            with_summary(app.texts, app.codebook, body, review), reply_markup=markup
        )


@requires()
async def toggle_tag(update: Update, context: Context, who: Identity) -> None:
    code = _parts(update)[3]
    await _apply(update, context, who, ReviewChange(code=code, expanded=_expanded(update)))


@requires()
async def expand(update: Update, context: Context, who: Identity) -> None:
    await _apply(update, context, who, ReviewChange(expanded=True))


@requires()
async def open_share(update: Update, context: Context, who: Identity) -> None:
    change = ReviewChange(panel=ReviewPanel.SHARE, expanded=_expanded(update))
    await _apply(update, context, who, change)


@requires()
async def pick_share(update: Update, context: Context, who: Identity) -> None:
    """A level from the picker; one that shows the entry to the group is asked about first."""
    level = keyboards.LEVELS_BY_LETTER[_parts(update)[3]]
    confirmed = _parts(update)[1] == "sy"
    change = ReviewChange(share=level, confirmed=confirmed, expanded=_expanded(update))
    await _apply(update, context, who, change)


@requires()
async def back(update: Update, context: Context, who: Identity) -> None:
    await _apply(update, context, who, ReviewChange(expanded=_expanded(update)))


@requires()
async def ask_delete(update: Update, context: Context, who: Identity) -> None:
    await _apply(update, context, who, ReviewChange(panel=ReviewPanel.CONFIRM_DELETE))


@requires()
async def done(update: Update, context: Context, who: Identity) -> None:
    """The buttons go; the words for the entry's tags and sharing stay, as its record."""
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        review = await entries.confirm_tags(session, who=who, reflection_id=_reflection_id(update))
    await answer_tap(query, app.texts("tags_confirmed" if review else "not_found"))
    if review is None:
        await query.edit_message_reply_markup(reply_markup=None)
    else:
        await _redraw(update, app, review, keyboard=False)


@requires()
async def correct(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    query = update.callback_query
    assert query and update.effective_chat
    async with app.db.transaction() as session:
        text = await entries.begin_correction(
            session, who=who, reflection_id=_reflection_id(update)
        )
    await answer_tap(query)
    if text is None:
        await update.effective_chat.send_message(app.texts("not_found"))
        return
    await update.effective_chat.send_message(
        correction_prompt(app.texts, text), parse_mode=ParseMode.HTML
    )


@requires()
async def confirm_delete(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        files = await entries.delete_entry(session, who=who, reflection_id=_reflection_id(update))
    await privacy.remove_files(files or [])
    await answer_tap(query)
    await query.edit_message_text(app.texts("not_found" if files is None else "deleted"))


def register(app: BotApplication) -> None:
    app.add_handler(CallbackQueryHandler(toggle_tag, pattern=r"^rv:t:\d+:\w+:[01]$"))
    app.add_handler(CallbackQueryHandler(expand, pattern=r"^rv:x:\d+:1$"))
    app.add_handler(CallbackQueryHandler(open_share, pattern=r"^rv:s:\d+:[01]$"))
    app.add_handler(CallbackQueryHandler(pick_share, pattern=rf"^rv:s[ly]:\d+:[{LETTERS}]:[01]$"))
    app.add_handler(CallbackQueryHandler(back, pattern=r"^rv:back:\d+:[01]$"))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^rv:ok:\d+$"))
    app.add_handler(CallbackQueryHandler(correct, pattern=r"^rv:fix:\d+$"))
    app.add_handler(CallbackQueryHandler(ask_delete, pattern=r"^rv:del:\d+$"))
    app.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^rv:delok:\d+$"))
