"""Queries about tutors: onboarding, lookups and pending conversational state."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Tutor
from storage.vocabulary import Awaiting, OnboardingStep, Role, ShareLevel


async def get_tutor(*, session: AsyncSession, telegram_user_id: int) -> Tutor | None:
    result = await session.execute(select(Tutor).where(Tutor.telegram_user_id == telegram_user_id))
    return result.scalar_one_or_none()


async def all_tutors(*, session: AsyncSession) -> Sequence[Tutor]:
    """Everyone who has consented, for matching names written outside Telegram."""
    return (await session.execute(select(Tutor).order_by(Tutor.id))).scalars().all()


async def require(*, session: AsyncSession, tutor_id: int) -> Tutor:
    """The tutor the identity gate has already found; gone only if erased mid-update."""
    tutor = await session.get(Tutor, tutor_id)
    if tutor is None:
        raise LookupError(f"tutor {tutor_id} no longer exists")
    return tutor


async def create_tutor(
    *,
    session: AsyncSession,
    telegram_user_id: int,
    display_name: str,
    timezone: str,
    consent_version: str,
    consented_at: datetime,
    role: Role = Role.TUTOR,
    default_share_level: ShareLevel = ShareLevel.PRIVATE,
) -> Tutor:
    """Only called once consent is given, so a row always means a consenting person."""
    tutor = Tutor(
        telegram_user_id=telegram_user_id,
        display_name=display_name[:100],
        pseudonym=f"T-{secrets.token_hex(3).upper()}",
        timezone=timezone,
        role=role,
        onboarding_step=OnboardingStep.NAME,
        default_share_level=default_share_level,
        consent_version=consent_version,
        consented_at=consented_at,
    )
    session.add(tutor)
    await session.flush()
    return tutor


async def set_awaiting(*, session: AsyncSession, tutor_id: int, awaiting: Awaiting | None) -> None:
    """Remembers what the tutor's next message means (a name, a correction) across restarts."""
    tutor = await session.get(Tutor, tutor_id)
    if tutor is not None:
        tutor.awaiting = awaiting


async def delete_tutor(*, session: AsyncSession, tutor_id: int) -> None:
    """Erases a tutor and, by cascade, everything they wrote."""
    await session.execute(delete(Tutor).where(Tutor.id == tutor_id))
