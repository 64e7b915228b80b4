"""Buttons under an entry: toggle tags, choose who sees it, done, correct, delete."""

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot.services import entries, privacy
from bot.services.entries import ReviewChange
from bot.services.identity import Identity
from bot.state import BotApplication, Context
from bot.views import keyboards
from handlers.common import answer_tap, state
from handlers.gate import requires


def _parts(update: Update) -> list[str]:
    """`rv:<action>:<reflection id>[:<code>][:<expanded>]` split into its pieces."""
    assert update.callback_query and update.callback_query.data
    return update.callback_query.data.split(":")


def _reflection_id(update: Update) -> int:
    return int(_parts(update)[2])


async def _apply(update: Update, context: Context, who: Identity, change: ReviewChange) -> None:
    """Applies one tap as the entry's author and redraws the keyboard from the database."""
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
    await query.edit_message_reply_markup(
        keyboards.review_keyboard(app.texts, app.codebook, review)
    )


@requires()
async def toggle_tag(update: Update, context: Context, who: Identity) -> None:
    _, _, _, code, expanded = _parts(update)
    await _apply(update, context, who, ReviewChange(code=code, expanded=expanded == "1"))


@requires()
async def expand(update: Update, context: Context, who: Identity) -> None:
    await _apply(update, context, who, ReviewChange(expanded=True))


@requires()
async def cycle_share(update: Update, context: Context, who: Identity) -> None:
    expanded = _parts(update)[3] == "1"
    await _apply(update, context, who, ReviewChange(cycle_share=True, expanded=expanded))


@requires()
async def back(update: Update, context: Context, who: Identity) -> None:
    await _apply(update, context, who, ReviewChange())


@requires()
async def done(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        found = await entries.confirm_tags(session, who=who, reflection_id=_reflection_id(update))
    await answer_tap(query, app.texts("tags_confirmed" if found else "not_found"))
    await query.edit_message_reply_markup(reply_markup=None)


@requires()
async def correct(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    query = update.callback_query
    assert query and update.effective_chat
    async with app.db.transaction() as session:
        ok = await entries.begin_correction(session, who=who, reflection_id=_reflection_id(update))
    await answer_tap(query)
    await update.effective_chat.send_message(app.texts("correct_prompt" if ok else "not_found"))


@requires()
async def ask_delete(update: Update, context: Context, who: Identity) -> None:
    query = update.callback_query
    assert query
    await answer_tap(query)
    keyboard = keyboards.delete_keyboard(state(context).texts, _reflection_id(update))
    await query.edit_message_reply_markup(reply_markup=keyboard)


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
    app.add_handler(CallbackQueryHandler(cycle_share, pattern=r"^rv:s:\d+:[01]$"))
    app.add_handler(CallbackQueryHandler(back, pattern=r"^rv:back:\d+:0$"))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^rv:ok:\d+$"))
    app.add_handler(CallbackQueryHandler(correct, pattern=r"^rv:fix:\d+$"))
    app.add_handler(CallbackQueryHandler(ask_delete, pattern=r"^rv:del:\d+$"))
    app.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^rv:delok:\d+$"))
