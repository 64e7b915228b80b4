"""The tables: tutors, peer groups, reflections, their tags, transcription jobs and the audit log."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, EnumText, SafeString, SafeText, UTCDateTime, utcnow
from storage.vocabulary import (
    Awaiting,
    EntrySource,
    FailureKind,
    GuidedPart,
    JobStatus,
    OnboardingStep,
    ReflectionStatus,
    ReminderStyle,
    Role,
    SendKind,
    SendStatus,
    ShareLevel,
    TagKind,
    TagSource,
    check_values,
)


def one_of(column: str, enum: type[StrEnum]) -> CheckConstraint:
    """The database refuses any value the vocabulary does not know."""
    return CheckConstraint(f"{column} IN ({check_values(enum)})", name=column)


class Tutor(Base):
    """A person who has consented; nobody gets a row before they tap the consent button."""

    __tablename__ = "tutors"
    __table_args__ = (
        one_of("role", Role),
        one_of("onboarding_step", OnboardingStep),
        one_of("default_share_level", ShareLevel),
        one_of("reminder_style", ReminderStyle),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    display_name: Mapped[str] = mapped_column(SafeString(100))
    pseudonym: Mapped[str] = mapped_column(String(20), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(EnumText(Role), default=Role.TUTOR)
    onboarding_step: Mapped[OnboardingStep] = mapped_column(
        EnumText(OnboardingStep), default=OnboardingStep.NAME
    )
    default_share_level: Mapped[ShareLevel] = mapped_column(
        EnumText(ShareLevel), default=ShareLevel.PRIVATE
    )
    consent_version: Mapped[str] = mapped_column(String(20))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    awaiting: Mapped[Awaiting | None] = mapped_column(JSON, default=None)
    # An invite code from a deep link, used once setting up is done.
    pending_invite: Mapped[str | None] = mapped_column(String(32), default=None)
    # Prompts and reminders stay quiet before this local date (the day they start again).
    paused_until: Mapped[date | None] = mapped_column(Date, default=None)
    reminder_style: Mapped[ReminderStyle] = mapped_column(
        EnumText(ReminderStyle), default=ReminderStyle.AFTER_SESSION
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reflections: Mapped[list[Reflection]] = relationship(
        back_populates="tutor", cascade="all, delete-orphan", passive_deletes=True
    )


class PeerGroup(Base):
    """A reflective-practice group, optionally linked to one Telegram group chat."""

    __tablename__ = "peer_groups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The weekly digest, in the group's own time zone: Monday is 0; minutes after midnight.
    digest_weekday: Mapped[int] = mapped_column(Integer, default=4)
    digest_minute: Mapped[int] = mapped_column(Integer, default=16 * 60)


class InviteCode(Base):
    """A way into one group: long enough that guessing is hopeless, and it can run out."""

    __tablename__ = "invite_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("peer_groups.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    max_uses: Mapped[int | None] = mapped_column(Integer, default=None)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class PendingLead(Base):
    """A lead named by a coordinator before they have consented: no tutor row exists yet. Kept
    until they consent, say no, or the naming expires."""

    __tablename__ = "pending_leads"
    __table_args__ = (UniqueConstraint("group_id", "telegram_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger)
    named_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.current_timestamp()
    )


class TeachingSession(Base):
    """A tutor's regular weekly session, in their own time zone; its end time brings a prompt."""

    __tablename__ = "teaching_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday is 0
    starts_minute: Mapped[int | None] = mapped_column(Integer, default=None)
    ends_minute: Mapped[int] = mapped_column(Integer)  # minutes after local midnight
    place: Mapped[str] = mapped_column(SafeString(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(Base):
    """Which tutors belong to which group, and who leads it."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("group_id", "tutor_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("peer_groups.id", ondelete="CASCADE"))
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"))
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reflection(Base):
    """One entry, keyed on the Telegram message that made it so redelivery changes nothing."""

    __tablename__ = "reflections"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        one_of("source", EntrySource),
        one_of("status", ReflectionStatus),
        one_of("share_level", ShareLevel),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tutor_id: Mapped[int] = mapped_column(ForeignKey("tutors.id", ondelete="CASCADE"), index=True)
    source: Mapped[EntrySource] = mapped_column(EnumText(EntrySource))
    status: Mapped[ReflectionStatus] = mapped_column(
        EnumText(ReflectionStatus), default=ReflectionStatus.READY
    )
    text: Mapped[str | None] = mapped_column(SafeText, default=None)
    parts: Mapped[list[GuidedPart] | None] = mapped_column(JSON, default=None)
    prompt_set: Mapped[str | None] = mapped_column(String(50), default=None)
    share_level: Mapped[ShareLevel] = mapped_column(
        EnumText(ShareLevel), default=ShareLevel.PRIVATE
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    reply_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Set before a status message is sent, so a crash mid-send never leads to a second one.
    reply_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    audio_duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    tags_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    tutor: Mapped[Tutor] = relationship(back_populates="reflections")
    tags: Mapped[list[ReflectionTag]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class ReflectionTag(Base):
    """A codebook code on an entry; tutor-set rows are never overwritten by the tagger."""

    __tablename__ = "reflection_tags"
    __table_args__ = (UniqueConstraint("reflection_id", "code"), one_of("source", TagSource))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflections.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(50))
    kind: Mapped[TagKind] = mapped_column(EnumText(TagKind))
    applied: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[TagSource] = mapped_column(EnumText(TagSource, 10), default=TagSource.AUTO)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    evidence: Mapped[list[list[int]] | None] = mapped_column(JSON, default=None)


class TranscriptionJob(Base):
    """A durable unit of transcription work; the database, not memory, says what is pending."""

    __tablename__ = "transcription_jobs"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id"),
        one_of("status", JobStatus),
        one_of("failure_kind", FailureKind),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflections.id", ondelete="CASCADE"), index=True
    )
    part_index: Mapped[int | None] = mapped_column(Integer, default=None)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[JobStatus] = mapped_column(
        EnumText(JobStatus), default=JobStatus.PENDING, index=True
    )
    file_id: Mapped[str] = mapped_column(String(255))
    file_size: Mapped[int | None] = mapped_column(Integer, default=None)
    audio_duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    audio_path: Mapped[str | None] = mapped_column(String(500), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    failure_kind: Mapped[FailureKind | None] = mapped_column(EnumText(FailureKind), default=None)
    worker_id: Mapped[str | None] = mapped_column(String(100), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    transcribe_seconds: Mapped[float | None] = mapped_column(Float, default=None)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    deliver_after: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    undeliverable: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    """Who did what to whose data, and when: exports, erasures, role changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_telegram_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class InboxUpdate(Base):
    """An update from Telegram, kept from the moment it arrives until its handlers have run.

    Written before Telegram is told the update was received, so a crash before it is handled
    replays it instead of losing it. Once handled, its payload (the tutor's words) is dropped
    but its id stays a day, so Telegram sending it again after a crash changes nothing.
    """

    __tablename__ = "inbox_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    digest: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None, index=True)


class WorkerHeartbeat(Base):
    """When each transcription worker last said it was alive, for the health check."""

    __tablename__ = "worker_heartbeats"

    worker_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScheduledSend(Base):
    """One message the bot owes someone at a time; its unique key makes every send happen once."""

    __tablename__ = "scheduled_sends"
    __table_args__ = (one_of("kind", SendKind), one_of("status", SendStatus))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[SendKind] = mapped_column(EnumText(SendKind))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("peer_groups.id", ondelete="CASCADE"), default=None
    )
    # A prompt or reminder belongs to one tutor, and goes when they erase their data.
    tutor_id: Mapped[int | None] = mapped_column(
        ForeignKey("tutors.id", ondelete="CASCADE"), default=None, index=True
    )
    # Not sent if the tutor has reflected since this instant (a session's end, say).
    quiet_if_reflected_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    for_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    period: Mapped[str] = mapped_column(String(20))  # a digest's ISO week, a prompt's local date
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[SendStatus] = mapped_column(
        EnumText(SendStatus), default=SendStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    photo_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
