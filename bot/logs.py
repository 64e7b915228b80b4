"""Logging set up once in `main`: private at every level, and secrets redacted whatever logs them."""

from __future__ import annotations

import logging
from collections.abc import Iterable

# Libraries that, below these levels, log whole updates, replies, SQL parameters or the
# token-bearing Bot API URL. Reflection text must never reach a log, even at DEBUG.
LIBRARY_LEVELS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "apscheduler": logging.WARNING,
    "faster_whisper": logging.INFO,
}
REDACTED = "<redacted>"


class Redact(logging.Filter):
    """Replaces secrets (the bot token) in the message and traceback before any handler writes."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        record.msg, record.args = self._clean(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


def configure_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Our logs at the chosen level; libraries never below the level that keeps text out."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level)
    redact = Redact(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    for name, floor in LIBRARY_LEVELS.items():
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))


class QuietAbout(logging.Filter):
    """Drops a library's traceback for an error we report ourselves in one plain line."""

    def __init__(self, error: type[BaseException]) -> None:
        super().__init__()
        self.error = error

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], self.error))
