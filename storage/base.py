"""Declarative base with a naming convention so Alembic can alter constraints on SQLite."""

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import DateTime, MetaData, String, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

from storage import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every model shares one metadata with stable constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes and gives them back aware, even on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)


E = TypeVar("E", bound=StrEnum)


class EnumText(TypeDecorator[E], Generic[E]):
    """A short text column that only ever hands back members of one enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int = 20) -> None:
        super().__init__(length=length)
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


# PostgreSQL refuses NUL in text, and a lone surrogate cannot be encoded as UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """Text both databases accept: NUL dropped, unpaired surrogates made visible as U+FFFD."""
    return UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", value)


class SafeText(TypeDecorator[str]):
    """A tutor's free text; one stray NUL must never lock them out of saving anything."""

    impl: type[String] = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else storable(value)


class SafeString(SafeText):
    """Short free text, such as a name, with the same protection."""

    impl = String
    cache_ok = True  # SQLAlchemy reads this from each class itself, not from its parent


def affected(result: object) -> int:
    """How many rows an UPDATE or DELETE touched (a `CursorResult`'s rowcount)."""
    return int(getattr(result, "rowcount", 0))


def utcnow() -> datetime:
    """One clock for every timestamp we store; the sandbox can move it (storage.clock)."""
    return clock.now()
