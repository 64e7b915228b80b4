"""Queries about tutors' teaching weeks: their sessions, pauses and how they like reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TeachingSession, Tutor
from storage.vocabulary import OnboardingStep, ReminderStyle


async def add_session(
    *,
    session: AsyncSession,
    tutor_id: int,
    weekday: int,
    ends_minute: int,
    starts_minute: int | None = None,
    place: str = "",
) -> TeachingSession:
    row = TeachingSession(
        tutor_id=tutor_id,
        weekday=weekday,
        starts_minute=starts_minute,
        ends_minute=ends_minute,
        place=place,
    )
    session.add(row)
    await session.flush()
    return row


async def sessions_of(*, session: AsyncSession, tutor_id: int) -> Sequence[TeachingSession]:
    """A tutor's week in order: Monday first, earliest end first."""
    result = await session.execute(
        select(TeachingSession)
        .where(TeachingSession.tutor_id == tutor_id)
        .order_by(TeachingSession.weekday, TeachingSession.ends_minute, TeachingSession.id)
    )
    return result.scalars().all()


async def remove_session(*, session: AsyncSession, tutor_id: int, session_id: int) -> bool:
    """Only the tutor's own session; False when it was already gone."""
    result = await session.execute(
        delete(TeachingSession).where(
            TeachingSession.id == session_id, TeachingSession.tutor_id == tutor_id
        )
    )
    return int(getattr(result, "rowcount", 0)) == 1


async def prompted_tutors(
    *,
    session: AsyncSession,
) -> Sequence[tuple[Tutor, Sequence[TeachingSession]]]:
    """Every set-up tutor with their sessions, in two queries however many tutors; a tutor
    prompted after sessions but with none recorded has nothing due and is left out."""
    tutors = (
        (await session.execute(select(Tutor).where(Tutor.onboarding_step == OnboardingStep.DONE)))
        .scalars()
        .all()
    )
    by_tutor: dict[int, list[TeachingSession]] = {tutor.id: [] for tutor in tutors}
    result = await session.execute(
        select(TeachingSession).where(TeachingSession.tutor_id.in_(by_tutor))
    )
    for row in result.scalars():
        by_tutor[row.tutor_id].append(row)
    return [
        (tutor, by_tutor[tutor.id])
        for tutor in tutors
        if by_tutor[tutor.id] or tutor.reminder_style != ReminderStyle.AFTER_SESSION
    ]


async def set_paused_until(*, session: AsyncSession, tutor_id: int, until: date | None) -> None:
    tutor = await session.get(Tutor, tutor_id)
    if tutor is not None:
        tutor.paused_until = until


async def set_reminder_style(*, session: AsyncSession, tutor_id: int, style: ReminderStyle) -> None:
    tutor = await session.get(Tutor, tutor_id)
    if tutor is not None:
        tutor.reminder_style = style
