"""Onboarding rules: consent first, then a name and a time zone; nothing is stored before consent."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity, identity_of
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Tutor
from storage.vocabulary import OnboardingStep, Role, ShareLevel

CONSENT_VERSION = "2026-11"


@dataclass(frozen=True)
class NewcomerDefaults:
    """What a new tutor starts with, from the operator's settings."""

    timezone: str
    share_level: ShareLevel
    coordinator_ids: frozenset[int]


@dataclass(frozen=True)
class StepAnswer:
    """Who the tutor is after their answer; `rejected` holds a time zone we did not recognise."""

    who: Identity
    rejected: str | None = None


async def give_consent(
    session: AsyncSession, *, user_id: int, first_name: str, defaults: NewcomerDefaults
) -> Identity:
    """Creates the tutor on the consent tap; a second tap finds the same row."""
    existing = await tutor_store.get_tutor(session, telegram_user_id=user_id)
    if existing is not None:
        return identity_of(existing)
    tutor = await tutor_store.create_tutor(
        session,
        telegram_user_id=user_id,
        display_name=first_name or "friend",
        timezone=defaults.timezone,
        consent_version=CONSENT_VERSION,
        consented_at=utcnow(),
        role=Role.COORDINATOR if user_id in defaults.coordinator_ids else Role.TUTOR,
        default_share_level=defaults.share_level,
    )
    return identity_of(tutor)


async def answer_step(session: AsyncSession, *, who: Identity, answer: str) -> StepAnswer | None:
    """Applies an answer to whichever step the tutor is on; None once they are set up."""
    tutor = await tutor_store.require(session, tutor_id=who.tutor_id)
    rejected = None
    if tutor.onboarding_step == OnboardingStep.DONE:
        return None
    if tutor.onboarding_step == OnboardingStep.NAME:
        _save_name(tutor, answer)
    elif not _save_timezone(tutor, answer):
        rejected = answer
    return StepAnswer(identity_of(tutor), rejected)


def _save_name(tutor: Tutor, name: str) -> None:
    """Keeps names short and tidy; an empty answer keeps the Telegram first name."""
    cleaned = " ".join(name.split())[:100]
    if cleaned:
        tutor.display_name = cleaned
    tutor.onboarding_step = OnboardingStep.TIMEZONE


def _save_timezone(tutor: Tutor, value: str) -> bool:
    """Accepts any IANA zone name, case-insensitively; False when it is not one."""
    zone = known_timezone(value)
    if zone is None:
        return False
    tutor.timezone = zone
    tutor.onboarding_step = OnboardingStep.DONE
    return True


def known_timezone(value: str) -> str | None:
    candidate = value.strip().replace(" ", "_")
    for attempt in (candidate, "/".join(part.title() for part in candidate.split("/"))):
        try:
            ZoneInfo(attempt)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return attempt
    return None
