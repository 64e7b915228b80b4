"""Buttons under an entry: toggle tags, choose who sees it, done, correct, delete."""

from pathlib import Path

from telegram import Update
from telegram.ext import CallbackQueryHandler

from bot import entries, review, tags
from bot.state import AppState, BotApplication, Context
from handlers.common import sender_tutor, state


def _parts(update: Update) -> list[str]:
    """`rv:<action>:<reflection id>[:<code>][:<expanded>]` split into its pieces."""
    assert update.callback_query and update.callback_query.data
    return update.callback_query.data.split(":")


async def _show_review(
    update: Update,
    app: AppState,
    reflection_id: int,
    *,
    expanded: bool,
    code: str | None = None,
    share: bool = False,
) -> None:
    """Applies one change as the entry's author and redraws the keyboard from the database."""
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        entry = (
            await entries.own_entry(session, tutor=tutor, reflection_id=reflection_id)
            if tutor
            else None
        )
        if entry is not None:
            if code is not None and (known := app.codebook.get(code)) is not None:
                await tags.toggle_tag(session, reflection=entry, code=known.id, kind=known.kind)
            if share:
                entry.share_level = tags.next_share_level(entry.share_level)
            view = await tags.review_of(session, reflection=entry, expanded=expanded)
    if entry is None:
        await query.answer(app.texts("not_found"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(review.review_keyboard(app.texts, app.codebook, view))


async def toggle_tag(update: Update, context: Context) -> None:
    _, _, rid, code, expanded = _parts(update)
    await _show_review(update, state(context), int(rid), expanded=expanded == "1", code=code)


async def expand(update: Update, context: Context) -> None:
    await _show_review(update, state(context), int(_parts(update)[2]), expanded=True)


async def cycle_share(update: Update, context: Context) -> None:
    _, _, rid, expanded = _parts(update)
    await _show_review(update, state(context), int(rid), expanded=expanded == "1", share=True)


async def back(update: Update, context: Context) -> None:
    await _show_review(update, state(context), int(_parts(update)[2]), expanded=False)


async def done(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        entry = (
            await entries.own_entry(session, tutor=tutor, reflection_id=int(_parts(update)[2]))
            if tutor
            else None
        )
        if entry is not None:
            entry.tags_confirmed = True
    await query.answer(app.texts("tags_confirmed" if entry else "not_found"))
    await query.edit_message_reply_markup(reply_markup=None)


async def correct(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query and query.message
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        ok = tutor is not None and await entries.begin_correction(
            session, tutor=tutor, reflection_id=int(_parts(update)[2])
        )
    await query.answer()
    await context.bot.send_message(
        query.message.chat.id, app.texts("correct_prompt" if ok else "not_found")
    )


async def ask_delete(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query
    await query.answer()
    keyboard = review.delete_keyboard(state(context).texts, int(_parts(update)[2]))
    await query.edit_message_reply_markup(reply_markup=keyboard)


async def confirm_delete(update: Update, context: Context) -> None:
    app = state(context)
    query = update.callback_query
    assert query
    async with app.db.transaction() as session:
        tutor = await sender_tutor(session, update)
        files: list[Path] = []
        if tutor is not None:
            files = await entries.delete_entry(
                session, tutor=tutor, reflection_id=int(_parts(update)[2])
            )
    for path in files:
        path.unlink(missing_ok=True)
    await query.answer()
    await query.edit_message_text(app.texts("deleted"))


def register(app: BotApplication) -> None:
    app.add_handler(CallbackQueryHandler(toggle_tag, pattern=r"^rv:t:\d+:\w+:[01]$"))
    app.add_handler(CallbackQueryHandler(expand, pattern=r"^rv:x:\d+:1$"))
    app.add_handler(CallbackQueryHandler(cycle_share, pattern=r"^rv:s:\d+:[01]$"))
    app.add_handler(CallbackQueryHandler(back, pattern=r"^rv:back:\d+:0$"))
    app.add_handler(CallbackQueryHandler(done, pattern=r"^rv:ok:\d+$"))
    app.add_handler(CallbackQueryHandler(correct, pattern=r"^rv:fix:\d+$"))
    app.add_handler(CallbackQueryHandler(ask_delete, pattern=r"^rv:del:\d+$"))
    app.add_handler(CallbackQueryHandler(confirm_delete, pattern=r"^rv:delok:\d+$"))
