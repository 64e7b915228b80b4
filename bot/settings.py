"""Settings from the environment and `.env`, validated once in `main`, never at import."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.vocabulary import ShareLevel

PLACEHOLDER_TOKENS = {"", "changeme", "change-me", "your-token-here", "123456:ABC-DEF", "xxx"}
SANDBOX_TOKEN = "123456789:SANDBOX-not-a-real-token"
AUTO_CONCURRENCY_MAX = 2


class SettingsError(Exception):
    """A configuration problem, worded for the person who has to fix the `.env` file."""


class Settings(BaseSettings):
    """Everything an operator can set; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    data_dir: Path = Path("data")
    database_url: str | None = None
    default_timezone: str = "Europe/London"
    coordinator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    rate_limit: bool = True
    telegram_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    default_share_level: ShareLevel = ShareLevel.PRIVATE

    transcription_profile: Literal["fast", "balanced", "accurate"] = "accurate"
    transcriber: Literal["", "faster-whisper", "openai-whisper", "moonshine"] = ""
    whisper_model: str = ""
    transcription_vocabulary: str = ""
    whisper_vocabulary_hint: bool = False
    whisper_language: str = "en"
    whisper_compute_type: str = "int8"
    whisper_cpu_threads: int = Field(default=0, ge=0)
    whisper_device: str = "cpu"
    max_voice_seconds: int = Field(default=600, gt=0)
    audio_retention_days: int = Field(default=0, ge=0)
    reflection_retention_days: int | None = Field(default=None, ge=1)
    transcription_max_attempts: int = Field(default=3, ge=1)
    transcription_retry_seconds: float = Field(default=30.0, ge=0)
    transcription_lease_seconds: float = Field(default=120.0, gt=0)
    transcription_concurrency: int = Field(default=0, ge=0, le=64)
    worker_poll_seconds: float = Field(default=2.0, gt=0)
    delivery_retry_seconds: float = Field(default=10.0, gt=0)
    update_retry_seconds: float = Field(default=5.0, gt=0)
    run_worker: bool = True
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=0, ge=0, le=65535)
    guided_timeout_hours: float = Field(default=12.0, gt=0)
    scheduler_seconds: float = Field(default=30.0, gt=0)
    prompt_delay_minutes: int = Field(default=20, ge=0, le=24 * 60)
    quiet_hours: str = Field(default="21:00-07:00", pattern=r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
    tagger_adapt_min: int = Field(default=200, ge=1)

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (try Europe/London)") from error
        return value

    @field_validator("reflection_retention_days", mode="before")
    @classmethod
    def _blank_keeps_for_ever(cls, value: object) -> object:
        """`REFLECTION_RETENTION_DAYS=` with nothing after it means no limit."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("quiet_hours")
    @classmethod
    def _real_times(cls, value: str) -> str:
        """Two clock times, start and end, like 21:00-07:00; the same twice means none."""
        for part in value.split("-"):
            hour, minute = (int(n) for n in part.split(":"))
            if hour > 23 or minute > 59:
                raise ValueError(f"{part} is not a time of day (use 24-hour HH:MM)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _names_a_database(cls, value: str | None) -> str | None:
        """Without a name, PostgreSQL would quietly migrate into its `postgres` database."""
        if not value:
            return None
        try:
            url = make_url(normalise_database_url(value))
        except ArgumentError:
            raise ValueError(
                "not a database URL (try postgresql://user:password@host:5432/reflectbot)"
            ) from None
        if url.get_backend_name() not in ("postgresql", "sqlite"):
            raise ValueError("must be a postgresql:// or sqlite:/// URL")
        if not url.database:
            raise ValueError("name the database at the end, e.g. postgresql://…/reflectbot")
        return value

    @property
    def resolved_database_url(self) -> str:
        """An explicit URL wins; otherwise an SQLite file inside the data directory."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'reflectbot.db').resolve()}"

    @property
    def resolved_transcription_concurrency(self) -> int:
        """0 means one note per core, up to AUTO_CONCURRENCY_MAX (see bench/README.md)."""
        return self.transcription_concurrency or min(available_cores(), AUTO_CONCURRENCY_MAX)

    def bot_token(self) -> str:
        """The real token, refusing placeholders with a line that says what to do."""
        token = self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""
        if token.strip().lower() in {t.lower() for t in PLACEHOLDER_TOKENS}:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN: missing or a placeholder; get one from @BotFather "
                "and put it in .env (or try `reflectbot sandbox`, which needs none)"
            )
        return token


def available_cores() -> int:
    """The cores this process may run on, which can be fewer than the machine has."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def normalise_database_url(url: str) -> str:
    """Accepts the plain URLs people copy from docs and picks our async drivers."""
    for prefix, async_prefix in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("sqlite:///", "sqlite+aiosqlite:///"),
    ):
        if url.startswith(prefix):
            return async_prefix + url[len(prefix) :]
    return url


def load_settings(**overrides: object) -> Settings:
    """Builds settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = [_describe(problem) for problem in error.errors()]
        raise SettingsError("; ".join(lines)) from None


def _describe(problem: object) -> str:
    details = problem if isinstance(problem, dict) else {}
    name = str(details.get("loc", ("?",))[0]).upper()
    message = str(details.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{name}: {message}"
