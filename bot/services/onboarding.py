"""Onboarding rules: consent first, then one confirmation of name and time zone.

Nothing is stored before consent. After it, the stored step is `CONFIRMING` (the schema's
`name` step): the tutor sees the name and zone we would use, and a typed line there is a new
name. `timezone` means we asked for a typed zone; a good one goes back to confirming.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity, identity_of
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Tutor
from storage.vocabulary import OnboardingStep, Role, ShareLevel

CONSENT_VERSION = "2026-11-29"  # names the welcome's wording; change it when that changes
CONFIRMING = OnboardingStep.NAME
CITY_REGIONS = frozenset(
    (
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    )
)


@dataclass(frozen=True)
class NewcomerDefaults:
    """What a new tutor starts with, from the operator's settings."""

    timezone: str
    share_level: ShareLevel
    coordinator_ids: frozenset[int]


@dataclass(frozen=True)
class Consent:
    """Who agreed, and when, to which wording: the record the consent message keeps."""

    who: Identity
    agreed_at: datetime
    version: str


@dataclass(frozen=True)
class StepAnswer:
    """Who the tutor is after their answer; `rejected` holds a time zone we did not recognise."""

    who: Identity
    rejected: str | None = None


async def give_consent(
    session: AsyncSession, *, user_id: int, first_name: str, defaults: NewcomerDefaults
) -> Consent:
    """Creates the tutor on the consent tap; a second tap finds the same row and its record."""
    tutor = await tutor_store.get_tutor(session=session, telegram_user_id=user_id)
    if tutor is None:
        tutor = await tutor_store.create_tutor(
            session=session,
            telegram_user_id=user_id,
            display_name=first_name or "friend",
            timezone=defaults.timezone,
            consent_version=CONSENT_VERSION,
            consented_at=utcnow(),
            role=Role.COORDINATOR if user_id in defaults.coordinator_ids else Role.TUTOR,
            default_share_level=defaults.share_level,
        )
    return Consent(identity_of(tutor), tutor.consented_at, tutor.consent_version)


async def answer_step(session: AsyncSession, *, who: Identity, answer: str) -> StepAnswer | None:
    """A typed line: a time zone once we asked for one, otherwise a name; None once set up."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    if tutor.onboarding_step == OnboardingStep.DONE:
        return None
    if tutor.onboarding_step == OnboardingStep.TIMEZONE:
        if not _save_timezone(tutor, answer):
            return StepAnswer(identity_of(tutor), rejected=answer)
    else:
        _save_name(tutor, answer)
    return StepAnswer(identity_of(tutor))


async def ask_timezone(session: AsyncSession, *, who: Identity) -> Identity | None:
    """After "Change time zone" the next typed line is a zone. None once set up."""
    return await _move(session, who, OnboardingStep.TIMEZONE)


async def reopen(session: AsyncSession, *, who: Identity) -> Identity | None:
    """Back to the confirmation, where a typed line is a name. None once set up."""
    return await _move(session, who, CONFIRMING)


async def confirm(session: AsyncSession, *, who: Identity) -> Identity | None:
    """After "That's right" they are set up. None if they already were: old buttons do nothing."""
    return await _move(session, who, OnboardingStep.DONE)


async def _move(session: AsyncSession, who: Identity, step: OnboardingStep) -> Identity | None:
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    if tutor.onboarding_step == OnboardingStep.DONE:
        return None
    tutor.onboarding_step = step
    return identity_of(tutor)


def _save_name(tutor: Tutor, name: str) -> None:
    """Keeps names short and tidy, without control characters; an empty one keeps the old name."""
    printable = "".join(char for char in name if char.isprintable() or char.isspace())
    cleaned = " ".join(printable.split())[:100]
    if cleaned:
        tutor.display_name = cleaned


def _save_timezone(tutor: Tutor, value: str) -> bool:
    """False when `value` names no time zone we know."""
    zone = known_timezone(value)
    if zone is None:
        return False
    tutor.timezone = zone
    tutor.onboarding_step = CONFIRMING
    return True


def known_timezone(value: str) -> str | None:
    """An IANA zone name in any case (`europe/dublin`), or a city that names one (`Dublin`)."""
    candidate = "_".join(value.split())
    for attempt in (candidate, "/".join(part.title() for part in candidate.split("/"))):
        try:
            ZoneInfo(attempt)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return attempt
    return _cities().get(candidate.lower())


@functools.cache
def _cities() -> dict[str, str]:
    """`new_york` → America/New_York; the first zone in name order wins a shared city."""
    cities: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        region, _, rest = zone.partition("/")
        if rest and region in CITY_REGIONS:
            cities.setdefault(rest.rsplit("/", 1)[-1].lower(), zone)
    return cities
