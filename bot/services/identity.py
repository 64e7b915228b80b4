"""Who is asking: the one answer every handler gets before it runs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage import tutors as tutor_store
from storage.models import Tutor
from storage.vocabulary import Awaiting, AwaitingKind, OnboardingStep, Role, ShareLevel


@dataclass(frozen=True)
class Identity:
    """A consented person as they stood when their update arrived; plain data, safe to pass on."""

    telegram_user_id: int
    tutor_id: int
    role: Role
    display_name: str
    timezone: str
    default_share_level: ShareLevel
    onboarding_step: OnboardingStep
    awaiting: Awaiting | None

    @property
    def onboarded(self) -> bool:
        return self.onboarding_step == OnboardingStep.DONE

    def is_awaiting(self, kind: AwaitingKind) -> bool:
        """Whether their next message answers something: a guided question or a correction."""
        return self.awaiting is not None and self.awaiting["kind"] == kind


async def resolve(session: AsyncSession, *, telegram_user_id: int) -> Identity | None:
    """None for someone who has never consented (or has erased everything)."""
    tutor = await tutor_store.get_tutor(session=session, telegram_user_id=telegram_user_id)
    return None if tutor is None else identity_of(tutor)


def identity_of(tutor: Tutor) -> Identity:
    return Identity(
        telegram_user_id=tutor.telegram_user_id,
        tutor_id=tutor.id,
        role=tutor.role,
        display_name=tutor.display_name,
        timezone=tutor.timezone,
        default_share_level=tutor.default_share_level,
        onboarding_step=tutor.onboarding_step,
        awaiting=tutor.awaiting,
    )
