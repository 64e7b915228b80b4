"""The domain's words: every status, level and role the database may hold, and nothing else."""

from __future__ import annotations

from enum import StrEnum
from typing import NotRequired, TypedDict


class ShareLevel(StrEnum):
    """Who may read an entry besides its author, from most private to most open."""

    PRIVATE = "private"
    LEAD = "lead"
    GROUP = "group"
    GROUP_ANONYMOUS = "group_anonymous"

    @property
    def openness(self) -> int:
        """Most private first; the anonymous group comes before the group with a name."""
        return SHARE_ORDER.index(self)

    @property
    def reaches_group(self) -> bool:
        return self in (ShareLevel.GROUP, ShareLevel.GROUP_ANONYMOUS)


SHARE_ORDER = (ShareLevel.PRIVATE, ShareLevel.LEAD, ShareLevel.GROUP_ANONYMOUS, ShareLevel.GROUP)


class Role(StrEnum):
    """What a person may do; a lead and a coordinator can also reflect as tutors."""

    TUTOR = "tutor"
    LEAD = "lead"
    COORDINATOR = "coordinator"


class OnboardingStep(StrEnum):
    """Where a consented person is in setting up: their name, then their time zone."""

    NAME = "name"
    TIMEZONE = "timezone"
    DONE = "done"


class ReflectionStatus(StrEnum):
    """An entry's life: a guided draft, waiting for a transcript, ready, or failed to transcribe."""

    DRAFT = "draft"
    TRANSCRIBING = "transcribing"
    READY = "ready"
    FAILED = "failed"


class EntrySource(StrEnum):
    """How an entry arrived, which is also what its icon in /history shows."""

    TEXT = "text"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO_NOTE = "video_note"
    GUIDED = "guided"
    WHATSAPP = "whatsapp"  # imported from a WhatsApp group's exported chat


class JobStatus(StrEnum):
    """A transcription job's state in the durable queue."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FailureKind(StrEnum):
    """Why a transcription gave up, which decides what the tutor is told."""

    NO_SPEECH = "no_speech"
    UNREADABLE = "unreadable"
    ERROR = "error"


class TagKind(StrEnum):
    """Whether a code names something a young person gained or something that got in the way."""

    OUTCOME = "outcome"
    CHALLENGE = "challenge"


class TagSource(StrEnum):
    """Who put a tag on an entry; the tutor's own choice is never overwritten."""

    AUTO = "auto"
    TUTOR = "tutor"


class AwaitingKind(StrEnum):
    """What a tutor's next message means when it is not a new entry."""

    CORRECTION = "correct"
    GUIDED = "guided"


class AnswerSource(StrEnum):
    """How one guided question was answered."""

    TEXT = "text"
    VOICE = "voice"
    SKIP = "skip"


class SendKind(StrEnum):
    """Messages the bot sends of its own accord, on a schedule."""

    DIGEST = "digest"
    PROMPT = "prompt"
    DAILY_REMINDER = "daily_reminder"
    WEEKLY_REMINDER = "weekly_reminder"


class ExportFormat(StrEnum):
    """The files a coordinator can export; recorded in the audit log."""

    CSV = "csv"
    XLSX = "xlsx"
    JSONL = "jsonl"
    QDPX = "qdpx"


class ReminderStyle(StrEnum):
    """How a tutor likes to be nudged: after each session, once a day, or once a week."""

    AFTER_SESSION = "after_session"
    DAILY = "daily"
    WEEKLY = "weekly"


class SendStatus(StrEnum):
    """A scheduled send's life: waiting, sent, given up (too late or the chat is gone)."""

    PENDING = "pending"
    SENT = "sent"
    SKIPPED = "skipped"
    UNDELIVERABLE = "undeliverable"


class GuidedPart(TypedDict):
    """One answered (or skipped) question of a guided entry, stored in `Reflection.parts`."""

    question_id: str
    question: str
    answer: str | None
    source: AnswerSource
    skipped: bool
    failed: NotRequired[bool]
    status_message_id: NotRequired[int]
    message_id: NotRequired[int]


class Awaiting(TypedDict):
    """`Tutor.awaiting`: the entry a correction or a guided reflection is about, and its step."""

    kind: AwaitingKind
    reflection_id: int
    step: NotRequired[int]


def check_values(enum: type[StrEnum]) -> str:
    """The SQL list for a CHECK constraint that admits exactly this enum's values."""
    return ", ".join(f"'{member.value}'" for member in enum)
