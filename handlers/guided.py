"""/reflect: a guided reflection, one question at a time; /skip, /cancel, and carrying on later."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.services import guided, voice
from bot.services.guided import Turn, TurnKind
from bot.services.identity import Identity
from bot.services.prompt_sets import DEFAULT_PROMPT_SET
from bot.state import AppState, BotApplication, Context
from bot.views.keyboards import button
from handlers.common import PRIVATE, answer_tap, state
from handlers.gate import requires
from handlers.voice import RECORDINGS, accepted_note, wake_worker
from storage.vocabulary import AnswerSource, AwaitingKind

ANSWER_GROUP = -1  # after the onboarding handler (-2), before ordinary entries (0)


@requires()
async def reflect(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    message = update.effective_message
    assert message
    set_id = (context.args or [DEFAULT_PROMPT_SET])[0].lower()
    if set_id not in app.prompt_sets:
        choices = ", ".join(f"/reflect {name}" for name in app.prompt_sets)
        await message.reply_text(app.texts("guided_unknown_set", name=set_id[:30], choices=choices))
        return
    await begin_set(update, app, who, set_id, message.message_id)


async def begin_set(
    update: Update, app: AppState, who: Identity, set_id: str, message_id: int
) -> None:
    """Starts a set from /reflect or a check-in's button; `message_id` keys the draft."""
    chat = update.effective_chat
    assert chat
    async with app.db.transaction() as session:
        turn = await guided.begin(
            session,
            who=who,
            config=app.guided,
            set_id=set_id,
            chat_id=chat.id,
            message_id=message_id,
        )
    await show(update, app, turn)


@requires()
async def on_answer(update: Update, context: Context, who: Identity) -> None:
    """Takes a text or voice answer while a guided reflection is open; otherwise lets it pass."""
    app = state(context)
    message = update.effective_message
    assert message
    if not who.is_awaiting(AwaitingKind.GUIDED):
        return
    async with app.db.transaction() as session:
        stale = await guided.close_if_stale(session, who=who, config=app.guided)
    if stale:
        await message.reply_text(app.texts("guided_saved_stale"))
        return  # the message itself goes on to be an ordinary entry
    if message.text is None:
        await _voice_answer(update, app, who)
    else:
        await _record(update, app, who, message.text, AnswerSource.TEXT)
    raise ApplicationHandlerStop


async def _record(
    update: Update, app: AppState, who: Identity, text: str | None, source: AnswerSource
) -> None:
    """A typed answer or a skip: saved at once, then the next question or the ending."""
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        turn = await guided.answer(
            session,
            who=who,
            config=app.guided,
            text=text,
            source=source,
            message_id=message.message_id,
        )
    await _show_or(update, app, turn, "guided_nothing_to_skip")


async def _voice_answer(update: Update, app: AppState, who: Identity) -> None:
    """The answer's transcript arrives later; the next question is asked straight away."""
    message = update.effective_message
    assert message
    note = await accepted_note(app, message)
    if note is None:
        return
    async with app.db.transaction() as session:
        turn = await voice.guided_answer(
            session,
            who=who,
            config=app.guided,
            chat_id=message.chat_id,
            message_id=message.message_id,
            note=note,
        )
    if turn is None or turn.reflection_id is None or turn.part_index is None:
        await _show_or(update, app, turn, "guided_nothing_to_skip")  # already had this one
        return
    status = await message.reply_text(app.texts("guided_voice_answer"))
    async with app.db.transaction() as session:
        await guided.remember_part_status(
            session,
            reflection_id=turn.reflection_id,
            part_index=turn.part_index,
            message_id=status.message_id,
        )
    wake_worker(app)
    await show(update, app, turn)


@requires()
async def skip(update: Update, context: Context, who: Identity) -> None:
    await _record(update, state(context), who, None, AnswerSource.SKIP)


@requires()
async def cancel(update: Update, context: Context, who: Identity) -> None:
    await _stop(update, state(context), who)


async def _stop(update: Update, app: AppState, who: Identity) -> None:
    """Keeps what was answered; also forgets a correction the tutor no longer wants to make."""
    async with app.db.transaction() as session:
        turn = await guided.stop(session, who=who, tagger=app.tagger, drop_correction=True)
    await _show_or(update, app, turn, "guided_nothing_to_skip")


@requires()
async def carry_on(update: Update, context: Context, who: Identity) -> None:
    app = state(context)
    async with app.db.transaction() as session:
        turn = await guided.carry_on(session, who=who, config=app.guided)
    await _answer_button(update)
    await _show_or(update, app, turn, "guided_nothing_to_skip")


@requires()
async def start_afresh(update: Update, context: Context, who: Identity) -> None:
    """Saves the old draft as it stands (nothing answered is lost), then begins anew."""
    app = state(context)
    message = update.effective_message
    assert message
    async with app.db.transaction() as session:
        stopped, started = await guided.start_afresh(
            session,
            who=who,
            config=app.guided,
            chat_id=message.chat_id,
            message_id=message.message_id,
        )
    await _answer_button(update)
    if stopped is not None:
        await show(update, app, stopped)
    await show(update, app, started)


@requires()
async def button_skip(update: Update, context: Context, who: Identity) -> None:
    """Skips the question the button was under, and only while it is still the open one."""
    if await _still_open(update, context, who, needs_step=True):
        await _answer_button(update)
        await _record(update, state(context), who, None, AnswerSource.SKIP)


@requires()
async def button_stop(update: Update, context: Context, who: Identity) -> None:
    if await _still_open(update, context, who, needs_step=False):
        await _answer_button(update)
        await _stop(update, state(context), who)


async def _still_open(update: Update, context: Context, who: Identity, *, needs_step: bool) -> bool:
    """A button under an answered question (or a finished reflection) says so and goes."""
    query = update.callback_query
    assert query and query.data
    _, _, *ids = query.data.split(":")
    awaiting = who.awaiting if who.is_awaiting(AwaitingKind.GUIDED) else None
    open_now = awaiting is not None and ids[:1] == [str(awaiting["reflection_id"])]
    if open_now and needs_step:
        open_now = ids[1:2] == [str(awaiting.get("step", 0) if awaiting else 0)]
    if not open_now:
        key = "guided_question_done" if needs_step else "guided_already_saved"
        await answer_tap(query, state(context).texts(key))
        await query.edit_message_reply_markup(reply_markup=None)
    return open_now


async def _answer_button(update: Update) -> None:
    query = update.callback_query
    assert query
    await answer_tap(query)
    await query.edit_message_reply_markup(reply_markup=None)


async def _show_or(update: Update, app: AppState, turn: Turn | None, fallback: str) -> None:
    if turn is None:
        chat = update.effective_chat
        assert chat
        await chat.send_message(app.texts(fallback))
    else:
        await show(update, app, turn)


async def show(update: Update, app: AppState, turn: Turn) -> None:
    """Renders a turn: the next question, the resume offer, or how the reflection ended."""
    chat = update.effective_chat
    assert chat
    if turn.kind == TurnKind.ASK and turn.step is not None and turn.step.question is not None:
        buttons = _question_buttons(app, turn.step)
        await chat.send_message(_question_text(app, turn.step), reply_markup=buttons)
    elif turn.kind == TurnKind.RESUME and turn.step is not None:
        text = app.texts("guided_resume", answered=turn.answered, total=turn.step.total)
        await chat.send_message(text, reply_markup=_resume_buttons(app))
    elif turn.kind in (TurnKind.SAVED, TurnKind.STOPPED) and turn.reflection_id is not None:
        assert app.deliverer is not None
        key = "guided_saved" if turn.kind == TurnKind.SAVED else "guided_stopped"
        await app.deliverer.send_review(chat.id, turn.reflection_id, app.texts(key))
    elif turn.kind == TurnKind.WAITING:
        await chat.send_message(app.texts("guided_waiting_for_voice"))
    else:
        await chat.send_message(app.texts("guided_nothing_saved"))


def _question_text(app: AppState, step: guided.Step) -> str:
    assert step.question is not None
    lines = [
        app.texts(
            "guided_question", number=step.index + 1, total=step.total, question=step.question.text
        )
    ]
    if step.question.hint:
        lines.append(app.texts("guided_hint", hint=step.question.hint))
    if step.index == 0:
        lines.append(app.texts("guided_controls"))
    return "\n".join(lines)


def _question_buttons(app: AppState, step: guided.Step) -> InlineKeyboardMarkup:
    """Each button names its reflection and question, so a stale one can tell it is stale."""
    rid = step.reflection.id
    return InlineKeyboardMarkup(
        [
            [
                button(app.texts("skip_button"), f"gd:skip:{rid}:{step.index}"),
                button(app.texts("stop_button"), f"gd:stop:{rid}"),
            ]
        ]
    )


def _resume_buttons(app: AppState) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [button(app.texts("guided_resume_button"), "gd:resume")],
            [button(app.texts("guided_restart_button"), "gd:new")],
        ]
    )


def register(app: BotApplication) -> None:
    answers = PRIVATE & ((filters.TEXT & ~filters.COMMAND) | RECORDINGS)
    app.add_handler(MessageHandler(answers, on_answer), group=ANSWER_GROUP)
    app.add_handler(CommandHandler("reflect", reflect, filters=PRIVATE))
    app.add_handler(CommandHandler("skip", skip, filters=PRIVATE))
    app.add_handler(CommandHandler("cancel", cancel, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(carry_on, pattern=r"^gd:resume$"))
    app.add_handler(CallbackQueryHandler(start_afresh, pattern=r"^gd:new$"))
    # Buttons sent before they carried ids are caught too, and answered as stale.
    app.add_handler(CallbackQueryHandler(button_skip, pattern=r"^gd:skip(:\d+:\d+)?$"))
    app.add_handler(CallbackQueryHandler(button_stop, pattern=r"^gd:stop(:\d+)?$"))
