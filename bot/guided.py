"""Guided reflection: one question at a time, every answer saved as it arrives.

The draft is an ordinary reflection (status `draft`) whose `parts` fill up as the tutor
answers; `tutor.awaiting` says which question is open, so a restart loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import tags
from bot.prompt_sets import PromptSet, Question
from bot.tagging.tagger import Tagger
from storage import reflections
from storage.base import utcnow
from storage.models import Reflection, Tutor

GUIDED = "guided"
DRAFT, TRANSCRIBING, READY = "draft", "transcribing", "ready"


@dataclass(frozen=True)
class Turn:
    """What the tutor should see next: a question, a resume offer, or how it ended."""

    kind: str  # ask | resume | saved | waiting | stopped | nothing
    reflection_id: int | None = None
    step: Step | None = None
    answered: int = 0
    part_index: int | None = None


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


def in_progress(tutor: Tutor) -> dict[str, Any] | None:
    awaiting = tutor.awaiting or {}
    return awaiting if awaiting.get("kind") == GUIDED else None


async def draft_of(session: AsyncSession, *, tutor: Tutor) -> Reflection | None:
    state = in_progress(tutor)
    if state is None:
        return None
    return await reflections.get_reflection(
        session, reflection_id=int(state["reflection_id"]), tutor_id=tutor.id
    )


def is_stale(draft: Reflection, hours: float) -> bool:
    """A draft untouched for hours is not what the tutor's new message is answering."""
    return utcnow() - draft.updated_at > timedelta(hours=hours)


async def start(
    session: AsyncSession, *, tutor: Tutor, prompt_set: PromptSet, chat_id: int, message_id: int
) -> Step:
    draft, _ = await reflections.add_reflection(
        session,
        tutor_id=tutor.id,
        chat_id=chat_id,
        message_id=message_id,
        source=GUIDED,
        share_level=tutor.default_share_level,
        status=DRAFT,
        extra={"prompt_set": prompt_set.id, "parts": []},
    )
    tutor.awaiting = {"kind": GUIDED, "reflection_id": draft.id, "step": 0}
    return Step(draft, 0, len(prompt_set.questions), prompt_set.questions[0])


def current_step(tutor: Tutor, draft: Reflection, prompt_set: PromptSet) -> Step:
    index = int((tutor.awaiting or {}).get("step", 0))
    questions = prompt_set.questions
    question = questions[index] if index < len(questions) else None
    return Step(draft, index, len(questions), question)


async def record(
    session: AsyncSession,
    *,
    tutor: Tutor,
    draft: Reflection,
    prompt_set: PromptSet,
    answer: str | None,
    source: str,
    tagger: Tagger,
) -> Step:
    """Saves one answer (None for a skip or a voice note still transcribing) and moves on."""
    step = current_step(tutor, draft, prompt_set)
    assert step.question is not None
    part = {
        "question_id": step.question.id,
        "question": step.question.text,
        "answer": answer,
        "source": source,
        "skipped": answer is None and source == "skip",
    }
    draft.parts = [*(draft.parts or []), part]
    draft.updated_at = utcnow()
    tutor.awaiting = {**(tutor.awaiting or {}), "step": step.index + 1}
    next_step = current_step(tutor, draft, prompt_set)
    if next_step.finished:
        await finish(session, tutor=tutor, draft=draft, tagger=tagger)
    return next_step


async def finish(session: AsyncSession, *, tutor: Tutor, draft: Reflection, tagger: Tagger) -> bool:
    """Closes the draft; False (and the draft is deleted) when nothing at all was answered."""
    tutor.awaiting = None
    parts = draft.parts or []
    if not any(part.get("answer") or part.get("source") == "voice" for part in parts):
        await session.delete(draft)
        return False
    await settle(session, reflection=draft, tagger=tagger)
    return True


async def settle(session: AsyncSession, *, reflection: Reflection, tagger: Tagger) -> None:
    """Text is the answers alone (questions would trip the tagger); ready once no voice is pending."""
    parts = reflection.parts or []
    reflection.text = "\n\n".join(part["answer"] for part in parts if part.get("answer"))
    pending = any(_waiting_for_voice(part) for part in parts)
    reflection.status = TRANSCRIBING if pending else READY
    if not pending:
        await tags.auto_tag(session, reflection=reflection, tagger=tagger)


def _waiting_for_voice(part: dict[str, Any]) -> bool:
    return part.get("source") == "voice" and part.get("answer") is None and not part.get("failed")


async def fill_voice_answer(
    session: AsyncSession, *, reflection: Reflection, part_index: int, text: str, tagger: Tagger
) -> None:
    """A transcribed voice answer lands in its part; a finished entry is re-settled."""
    await _update_part(
        session, reflection, part_index, {"answer": text, "failed": False}, tagger=tagger
    )


async def mark_voice_failed(
    session: AsyncSession, *, reflection: Reflection, part_index: int, tagger: Tagger
) -> None:
    await _update_part(session, reflection, part_index, {"failed": True}, tagger=tagger)


async def remember_part_status(
    session: AsyncSession, *, reflection_id: int, part_index: int, message_id: int
) -> None:
    """The 'transcribing…' reply to a voice answer, which becomes its transcript later."""
    reflection = await session.get(Reflection, reflection_id)
    if reflection is not None:
        parts = [dict(part) for part in reflection.parts or []]
        if part_index < len(parts):
            parts[part_index]["status_message_id"] = message_id
            reflection.parts = parts


async def _update_part(
    session: AsyncSession,
    reflection: Reflection,
    part_index: int,
    changes: dict[str, Any],
    *,
    tagger: Tagger,
) -> None:
    parts = [dict(part) for part in reflection.parts or []]
    if part_index < len(parts):
        parts[part_index].update(changes)
    reflection.parts = parts
    if reflection.status == DRAFT:
        reflection.text = "\n\n".join(p["answer"] for p in parts if p.get("answer"))
    else:
        await settle(session, reflection=reflection, tagger=tagger)


async def begin(
    session: AsyncSession,
    *,
    tutor: Tutor,
    prompt_sets: dict[str, PromptSet],
    set_id: str,
    chat_id: int,
    message_id: int,
    timeout_hours: float,
    tagger: Tagger,
) -> Turn:
    """Starts a set, unless a recent draft is open: then the tutor chooses to carry on or not."""
    draft = await draft_of(session, tutor=tutor)
    if draft is not None and not is_stale(draft, timeout_hours):
        return Turn(
            "resume",
            draft.id,
            current_step(tutor, draft, _set_of(draft, prompt_sets)),
            answered=len(draft.parts or []),
        )
    if draft is not None:
        await finish(session, tutor=tutor, draft=draft, tagger=tagger)
    step = await start(
        session, tutor=tutor, prompt_set=prompt_sets[set_id], chat_id=chat_id, message_id=message_id
    )
    return Turn("ask", step.reflection.id, step)


async def carry_on(
    session: AsyncSession, *, tutor: Tutor, prompt_sets: dict[str, PromptSet]
) -> Turn | None:
    draft = await draft_of(session, tutor=tutor)
    if draft is None:
        return None
    return Turn("ask", draft.id, current_step(tutor, draft, _set_of(draft, prompt_sets)))


async def answer(
    session: AsyncSession,
    *,
    tutor: Tutor,
    prompt_sets: dict[str, PromptSet],
    text: str | None,
    source: str,
    tagger: Tagger,
) -> Turn | None:
    """Records a typed answer, a skip, or a voice answer's placeholder; None if no draft is open."""
    draft = await draft_of(session, tutor=tutor)
    if draft is None:
        return None
    step = await record(
        session,
        tutor=tutor,
        draft=draft,
        prompt_set=_set_of(draft, prompt_sets),
        answer=text,
        source=source,
        tagger=tagger,
    )
    part_index = step.index - 1
    if not step.finished:
        return Turn("ask", draft.id, step, part_index=part_index)
    return Turn(_ending(draft), draft.id, part_index=part_index)


async def stop(session: AsyncSession, *, tutor: Tutor, tagger: Tagger) -> Turn | None:
    """Ends the draft early, keeping whatever was answered."""
    draft = await draft_of(session, tutor=tutor)
    if draft is None:
        return None
    saved = await finish(session, tutor=tutor, draft=draft, tagger=tagger)
    if not saved:
        return Turn("nothing")
    return Turn("stopped" if draft.status == READY else "waiting", draft.id)


async def close_if_stale(
    session: AsyncSession, *, tutor: Tutor, timeout_hours: float, tagger: Tagger
) -> bool:
    """Saves an old, abandoned draft as it is, so today's message starts something new."""
    draft = await draft_of(session, tutor=tutor)
    if draft is None or not is_stale(draft, timeout_hours):
        return False
    await finish(session, tutor=tutor, draft=draft, tagger=tagger)
    return True


def _ending(draft: Reflection) -> str:
    if draft.status == READY:
        return "saved"
    return "waiting" if draft.status == TRANSCRIBING else "nothing"


def _set_of(draft: Reflection, prompt_sets: dict[str, PromptSet]) -> PromptSet:
    return prompt_sets.get(draft.prompt_set or "", next(iter(prompt_sets.values())))
