"""A tutor's own data: everything we hold about them as one file, or erased for good."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity
from storage import audit, schedules
from storage import jobs as job_store
from storage import reflections as store
from storage import tags as tag_store
from storage import tutors as tutor_store
from storage.base import utcnow
from storage.models import Reflection

AUDIO_FOLDER = "audio"  # inside the zip, and how the JSON names each recording


@dataclass(frozen=True)
class MyData:
    """Everything held about a tutor, as JSON-ready data, and the audio files still kept."""

    data: dict[str, Any]
    audio: list[Path]

    @property
    def document(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, indent=2).encode("utf-8")


async def export(session: AsyncSession, *, who: Identity) -> MyData:
    """All a tutor's data, as a subject access request would want it; the download is audited."""
    tutor = await tutor_store.require(session=session, tutor_id=who.tutor_id)
    entries = await store.all_reflections(session=session, tutor_id=tutor.id)
    reflections = [await _entry(session, entry) for entry in entries]
    history = await audit.by_actor(session=session, telegram_user_id=tutor.telegram_user_id)
    document = {
        "exported_at": utcnow().isoformat(),
        "profile": {
            "display_name": tutor.display_name,
            "pseudonym": tutor.pseudonym,
            "role": tutor.role,
            "time_zone": tutor.timezone,
            "consented_at": tutor.consented_at.isoformat(),
            "consent_version": tutor.consent_version,
            "default_share_level": tutor.default_share_level,
            "reminder_style": tutor.reminder_style,
            "paused_until": tutor.paused_until.isoformat() if tutor.paused_until else None,
        },
        "teaching_sessions": [
            {
                "weekday": row.weekday,
                "starts_minute": row.starts_minute,
                "ends_minute": row.ends_minute,
                "place": row.place,
            }
            for row in await schedules.sessions_of(session=session, tutor_id=tutor.id)
        ],
        "reflections": reflections,
        "audit_log": [
            {"action": row.action, "at": row.created_at.isoformat(), "detail": row.detail}
            for row in history
        ],
    }
    await audit.record(
        session=session,
        action="tutor_export",
        actor_telegram_id=tutor.telegram_user_id,
        detail={"reflections": len(entries)},
    )
    audio = await job_store.tutor_audio_paths(session=session, tutor_id=tutor.id)
    return MyData(document, [Path(path) for path in audio])


def zip_audio(paths: list[Path]) -> bytes:
    """The kept recordings in one file a phone can save; run it in a thread."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            if path.exists():
                archive.write(path, arcname=f"{AUDIO_FOLDER}/{path.name}")
    return buffer.getvalue()


async def count(session: AsyncSession, *, who: Identity) -> int:
    return await store.count_reflections(session=session, tutor_id=who.tutor_id)


async def forget(session: AsyncSession, *, who: Identity) -> list[Path]:
    """Deletes the tutor and every entry; returns kept audio files to remove after commit."""
    paths = await job_store.tutor_audio_paths(session=session, tutor_id=who.tutor_id)
    await audit.record(
        session=session, action="tutor_erased", actor_telegram_id=who.telegram_user_id
    )
    await tutor_store.delete_tutor(session=session, tutor_id=who.tutor_id)
    return [Path(path) for path in paths]


async def _entry(session: AsyncSession, entry: Reflection) -> dict[str, Any]:
    tag_rows = await tag_store.tags_for(session=session, reflection_id=entry.id)
    return {
        "created_at": entry.created_at.isoformat(),
        "source": entry.source,
        "status": entry.status,
        "share_level": entry.share_level,
        "text": entry.text,
        "guided_answers": entry.parts,
        "audio": [
            {"file": f"{AUDIO_FOLDER}/{Path(path).name}", "seconds": seconds}
            for path, seconds in await job_store.kept_audio(session=session, reflection_id=entry.id)
        ],
        "tags": [
            {"code": tag.code, "applied": tag.applied, "set_by": tag.source} for tag in tag_rows
        ],
    }


async def remove_files(paths: list[Path]) -> None:
    """Deletes audio after its rows are gone, in a thread so other tutors are not kept waiting."""
    for path in paths:
        await asyncio.to_thread(path.unlink, missing_ok=True)
