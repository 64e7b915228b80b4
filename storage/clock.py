"""The one clock: everything that asks what time it is asks here, and only the sandbox moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """The real time; production never uses anything else."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock(Clock):
    """Real time shifted by an offset, so time runs on from wherever it was last put."""

    def __init__(self) -> None:
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def move_to(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("give the instant with its UTC offset")
        self._offset = instant - datetime.now(UTC)

    def advance(self, seconds: float) -> None:
        self._offset += timedelta(seconds=seconds)


_current: Clock = Clock()


def now() -> datetime:
    """What time it is for the bot: aware, in UTC."""
    return _current.now()


def use(clock: Clock) -> Clock:
    """Installs a clock (the sandbox's) and returns the one it replaces, to put back later."""
    global _current
    previous, _current = _current, clock
    return previous
