"""Onboarding rules: consent first, then a name and a time zone; nothing is stored before consent."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.settings import Settings
from storage import tutors
from storage.base import utcnow
from storage.models import Tutor

CONSENT_VERSION = "2026-11"
STEP_NAME = "name"
STEP_TIMEZONE = "timezone"
STEP_DONE = "done"


async def give_consent(
    session: AsyncSession, *, user_id: int, first_name: str, settings: Settings
) -> Tutor:
    """Creates the tutor on the consent tap; a second tap finds the same row."""
    existing = await tutors.get_tutor(session, telegram_user_id=user_id)
    if existing is not None:
        return existing
    return await tutors.create_tutor(
        session,
        telegram_user_id=user_id,
        display_name=first_name or "friend",
        timezone=settings.default_timezone,
        consent_version=CONSENT_VERSION,
        consented_at=utcnow(),
        role="coordinator" if user_id in settings.coordinator_ids else "tutor",
        default_share_level=settings.default_share_level,
    )


def save_name(tutor: Tutor, name: str) -> str:
    """Keeps names short and tidy; an empty answer keeps the Telegram first name."""
    cleaned = " ".join(name.split())[:100]
    if cleaned:
        tutor.display_name = cleaned
    tutor.onboarding_step = STEP_TIMEZONE
    return tutor.display_name


def save_timezone(tutor: Tutor, value: str) -> bool:
    """Accepts any IANA zone name, case-insensitively; False when it is not one."""
    zone = known_timezone(value)
    if zone is None:
        return False
    tutor.timezone = zone
    tutor.onboarding_step = STEP_DONE
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


def is_onboarded(tutor: Tutor | None) -> bool:
    return tutor is not None and tutor.onboarding_step == STEP_DONE
