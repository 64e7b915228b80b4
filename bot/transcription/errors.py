"""The two ways transcription fails: a recording we cannot read, or a model we cannot load."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


class TranscriptionError(Exception):
    """Base class, so a worker can catch every transcription failure in one place."""


class AudioError(TranscriptionError):
    """The recording itself is unusable; retrying will not help, asking the tutor will."""

    def __init__(self, friendly: str, reason: str) -> None:
        super().__init__(reason)
        self.friendly = friendly
        self.reason = reason


class ModelUnavailable(TranscriptionError):
    """The model cannot be loaded; the message tells the operator how to fix it offline."""
