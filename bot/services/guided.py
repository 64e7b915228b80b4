"""Guided reflection: one question at a time, every answer saved as it arrives.

The draft is an ordinary reflection (status `draft`) whose `parts` fill up as the tutor
answers; `tutor.awaiting` says which question is open, so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.entries import auto_tag
from bot.services.identity import Identity
from bot.services.prompt_sets import DEFAULT_PROMPT_SET, PromptSet, Question
from bot.tagging.tagger import Tagger
from storage import reflections as store
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Reflection, Tutor
from storage.vocabulary import (
    AnswerSource,
    AwaitingKind,
    EntrySource,
    GuidedPart,
    ReflectionStatus,
)

PromptSets = dict[str, PromptSet]
EDITABLE_ENTRIES = 20  # how far back an edited guided answer is looked for


class TurnKind(StrEnum):
    """What the tutor sees next."""

    ASK = "ask"
    RESUME = "resume"
    SAVED = "saved"
    WAITING = "waiting"
    STOPPED = "stopped"
    NOTHING = "nothing"


@dataclass(frozen=True)
class Step:
    """Where a guided reflection stands after the latest answer."""

    reflection: Reflection
    index: int
    total: int
    question: Question | None

    @property
    def finished(self) -> bool:
        return self.question is None


@dataclass(frozen=True)
class Turn:
    """What the tutor should see next: a question, a resume offer, or how it ended."""

    kind: TurnKind
    reflection_id: int | None = None
    step: Step | None = None
    answered: int = 0
    part_index: int | None = None


@dataclass(frozen=True)
class Settings:
    """What every guided call needs besides the tutor: the sets, the tagger, when drafts go stale."""

    prompt_sets: PromptSets
    tagger: Tagger
    timeout_hours: float

    def set_of(self, draft: Reflection) -> PromptSet:
        return self.prompt_sets.get(draft.prompt_set or "", self.prompt_sets[DEFAULT_PROMPT_SET])


async def draft_of(session: AsyncSession, *, tutor: Tutor) -> Reflection | None:
    awaiting = tutor.awaiting
    if awaiting is None or awaiting["kind"] != AwaitingKind.GUIDED:
        return None
    return await store.get_reflection(
        session=session, reflection_id=int(awaiting["reflection_id"]), tutor_id=tutor.id
    )


def is_stale(draft: Reflection, hours: float) -> bool:
    """A draft untouched for hours is not what the tutor's new message is answering."""
    return utcnow() - draft.updated_at > timedelta(hours=hours)


def current_step(tutor: Tutor, draft: Reflection, prompt_set: PromptSet) -> Step:
    index = tutor.awaiting.get("step", 0) if tutor.awaiting else 0
    questions = prompt_set.questions
    question = questions[index] if index < len(questions) else None
    return Step(draft, index, len(questions), question)


def answer_text(parts: list[GuidedPart]) -> str:
    """Text is the answers alone: the questions name outcomes and would trip the tagger."""
    return "\n\n".join(part["answer"] for part in parts if part["answer"])


async def _start(
    session: AsyncSession, *, tutor: Tutor, prompt_set: PromptSet, chat_id: int, message_id: int
) -> Step:
    draft, _ = await store.add_reflection(
        session=session,
        tutor_id=tutor.id,
        chat_id=chat_id,
        message_id=message_id,
        source=EntrySource.GUIDED,
        share_level=tutor.default_share_level,
        status=ReflectionStatus.DRAFT,
        extra={"prompt_set": prompt_set.id, "parts": []},
    )
    tutor.awaiting = {"kind": AwaitingKind.GUIDED, "reflection_id": draft.id, "step": 0}
    return Step(draft, 0, len(prompt_set.questions), prompt_set.questions[0])


async def _record(
    session: AsyncSession,
    *,
    tutor: Tutor,
    draft: Reflection,
    config: Settings,
    answer: str | None,
    source: AnswerSource,
    message_id: int,
) -> Step:
    """Saves one answer (None for a skip or a voice note still transcribing) and moves on."""
    prompt_set = config.set_of(draft)
    step = current_step(tutor, draft, prompt_set)
    assert step.question is not None
    part: GuidedPart = {
        "question_id": step.question.id,
        "question": step.question.text,
        "answer": answer,
        "source": source,
        "skipped": answer is None and source == AnswerSource.SKIP,
        "message_id": message_id,
    }
    draft.parts = [*(draft.parts or []), part]
    draft.updated_at = utcnow()
    tutor.awaiting = {
        "kind": AwaitingKind.GUIDED,
        "reflection_id": draft.id,
        "step": step.index + 1,
    }
    next_step = current_step(tutor, draft, prompt_set)
    if next_step.finished:
        await _finish(session, tutor=tutor, draft=draft, tagger=config.tagger)
    return next_step


async def _finish(
    session: AsyncSession, *, tutor: Tutor, draft: Reflection, tagger: Tagger
) -> bool:
    """Closes the draft; False (and the draft is deleted) when nothing at all was answered."""
    tutor.awaiting = None
    parts = draft.parts or []
    if not any(part["answer"] or part["source"] == AnswerSource.VOICE for part in parts):
        await session.delete(draft)
        return False
    await _settle(session, reflection=draft, tagger=tagger)
    return True


async def _settle(session: AsyncSession, *, reflection: Reflection, tagger: Tagger) -> None:
    """Ready once no voice answer is pending, and only then tagged."""
    parts = reflection.parts or []
    reflection.text = answer_text(parts)
    pending = any(_waiting_for_voice(part) for part in parts)
    reflection.status = ReflectionStatus.TRANSCRIBING if pending else ReflectionStatus.READY
    if not pending:
        await auto_tag(session, reflection=reflection, tagger=tagger)


def _waiting_for_voice(part: GuidedPart) -> bool:
    return (
        part["source"] == AnswerSource.VOICE
        and part["answer"] is None
        and not part.get("failed", False)
    )


async def fill_voice_answer(
    session: AsyncSession, *, reflection: Reflection, part_index: int, text: str, tagger: Tagger
) -> None:
    """A transcribed voice answer lands in its part; a finished entry is re-settled."""
    await _update_part(session, reflection, part_index, answer=text, failed=False, tagger=tagger)


async def mark_voice_failed(
    session: AsyncSession, *, reflection: Reflection, part_index: int, tagger: Tagger
) -> None:
    await _update_part(session, reflection, part_index, failed=True, tagger=tagger)


async def remember_part_status(
    session: AsyncSession, *, reflection_id: int, part_index: int, message_id: int
) -> None:
    """The 'transcribing…' reply to a voice answer, which becomes its transcript later."""
    reflection = await session.get(Reflection, reflection_id)
    if reflection is not None:
        parts = [part.copy() for part in reflection.parts or []]
        if part_index < len(parts):
            parts[part_index]["status_message_id"] = message_id
            reflection.parts = parts


async def _update_part(
    session: AsyncSession,
    reflection: Reflection,
    part_index: int,
    *,
    failed: bool,
    tagger: Tagger,
    answer: str | None = None,
) -> None:
    parts = [part.copy() for part in reflection.parts or []]
    if part_index < len(parts):
        parts[part_index]["failed"] = failed
        if answer is not None:
            parts[part_index]["answer"], parts[part_index]["skipped"] = answer, False
    reflection.parts = parts
    if reflection.status == ReflectionStatus.DRAFT:
        reflection.text = answer_text(parts)
    else:
        await _settle(session, reflection=reflection, tagger=tagger)


async def edit_answer(
    session: AsyncSession, *, who: Identity, message_id: int, text: str, tagger: Tagger
) -> int | None:
    """An edited answer replaces the one it made; returns its entry's id, None if it made none."""
    for entry in await store.recent_by_source(
        session=session, tutor_id=who.tutor_id, source=EntrySource.GUIDED, limit=EDITABLE_ENTRIES
    ):
        parts = entry.parts or []
        index = next((n for n, p in enumerate(parts) if p.get("message_id") == message_id), None)
        if index is not None:
            await _update_part(session, entry, index, answer=text, failed=False, tagger=tagger)
            return entry.id
    return None


# What handlers call: each takes the caller's identity and returns the turn to show.


async def begin(
    session: AsyncSession,
    *,
    who: Identity,
    config: Settings,
    set_id: str,
    chat_id: int,
    message_id: int,
) -> Turn:
    """Starts a set, unless a recent draft is open: then the tutor chooses to carry on or not."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    draft = await draft_of(session, tutor=tutor)
    if draft is not None and not is_stale(draft, config.timeout_hours):
        step = current_step(tutor, draft, config.set_of(draft))
        return Turn(TurnKind.RESUME, draft.id, step, answered=len(draft.parts or []))
    if draft is not None:
        await _finish(session, tutor=tutor, draft=draft, tagger=config.tagger)
    step = await _start(
        session,
        tutor=tutor,
        prompt_set=config.prompt_sets[set_id],
        chat_id=chat_id,
        message_id=message_id,
    )
    return Turn(TurnKind.ASK, step.reflection.id, step)


async def carry_on(session: AsyncSession, *, who: Identity, config: Settings) -> Turn | None:
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    draft = await draft_of(session, tutor=tutor)
    if draft is None:
        return None
    return Turn(TurnKind.ASK, draft.id, current_step(tutor, draft, config.set_of(draft)))


async def answer(
    session: AsyncSession,
    *,
    who: Identity,
    config: Settings,
    text: str | None,
    source: AnswerSource,
    message_id: int,
) -> Turn | None:
    """Records a typed answer, a skip, or a voice answer's placeholder; None if no draft is open.

    The same message (Telegram delivering it again, or a second tap on one Skip button)
    counts once: the tutor is shown where they are instead.
    """
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    draft = await draft_of(session, tutor=tutor)
    if draft is None:
        return None
    if any(part.get("message_id") == message_id for part in draft.parts or []):
        return Turn(TurnKind.ASK, draft.id, current_step(tutor, draft, config.set_of(draft)))
    step = await _record(
        session,
        tutor=tutor,
        draft=draft,
        config=config,
        answer=text,
        source=source,
        message_id=message_id,
    )
    part_index = step.index - 1
    if not step.finished:
        return Turn(TurnKind.ASK, draft.id, step, part_index=part_index)
    return Turn(_ending(draft), draft.id, part_index=part_index)


async def stop(
    session: AsyncSession, *, who: Identity, tagger: Tagger, drop_correction: bool
) -> Turn | None:
    """Ends the draft early, keeping whatever was answered; /cancel also drops a correction."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    draft = await draft_of(session, tutor=tutor)
    if drop_correction:
        tutor.awaiting = None
    if draft is None:
        return None
    if not await _finish(session, tutor=tutor, draft=draft, tagger=tagger):
        return Turn(TurnKind.NOTHING)
    stopped = draft.status == ReflectionStatus.READY
    return Turn(TurnKind.STOPPED if stopped else TurnKind.WAITING, draft.id)


async def start_afresh(
    session: AsyncSession, *, who: Identity, config: Settings, chat_id: int, message_id: int
) -> tuple[Turn | None, Turn]:
    """Saves the old draft as it stands (nothing answered is lost), then begins the default set."""
    stopped = await stop(session, who=who, tagger=config.tagger, drop_correction=False)
    started = await begin(
        session,
        who=who,
        config=config,
        set_id=DEFAULT_PROMPT_SET,
        chat_id=chat_id,
        message_id=message_id,
    )
    return stopped, started


async def close_if_stale(session: AsyncSession, *, who: Identity, config: Settings) -> bool:
    """Saves an old, abandoned draft as it is, so today's message starts something new."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    draft = await draft_of(session, tutor=tutor)
    if draft is None or not is_stale(draft, config.timeout_hours):
        return False
    await _finish(session, tutor=tutor, draft=draft, tagger=config.tagger)
    return True


def _ending(draft: Reflection) -> TurnKind:
    if draft.status == ReflectionStatus.READY:
        return TurnKind.SAVED
    if draft.status == ReflectionStatus.TRANSCRIBING:
        return TurnKind.WAITING
    return TurnKind.NOTHING
