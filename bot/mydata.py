"""A tutor's own data: everything we hold about them as one file, or erased for good."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, jobs, tags, tutors
from storage.models import Reflection, Tutor


async def export(session: AsyncSession, *, tutor: Tutor) -> bytes:
    """JSON a tutor can open or hand to someone else; the download itself is audited."""
    entries = await _entries(session, tutor)
    document = {
        "profile": {
            "display_name": tutor.display_name,
            "time_zone": tutor.timezone,
            "consented_at": tutor.consented_at.isoformat(),
            "consent_version": tutor.consent_version,
            "default_share_level": tutor.default_share_level,
        },
        "reflections": [await _entry(session, entry) for entry in entries],
    }
    await audit.record(
        session,
        action="tutor_export",
        actor_telegram_id=tutor.telegram_user_id,
        detail={"reflections": len(entries)},
    )
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


async def count(session: AsyncSession, *, tutor: Tutor) -> int:
    return len(await _entries(session, tutor))


async def forget(session: AsyncSession, *, tutor: Tutor) -> list[Path]:
    """Deletes the tutor and every entry; returns kept audio files to remove after commit."""
    files = []
    for entry in await _entries(session, tutor):
        files += [
            Path(j.audio_path)
            for j in await jobs.jobs_for_reflection(session, reflection_id=entry.id)
            if j.audio_path
        ]
    await audit.record(session, action="tutor_erased", actor_telegram_id=tutor.telegram_user_id)
    await tutors.delete_tutor(session, tutor_id=tutor.id)
    return files


async def _entries(session: AsyncSession, tutor: Tutor) -> list[Reflection]:
    result = await session.execute(
        select(Reflection).where(Reflection.tutor_id == tutor.id).order_by(Reflection.id)
    )
    return list(result.scalars())


async def _entry(session: AsyncSession, entry: Reflection) -> dict[str, Any]:
    tag_rows = await tags.tags_for(session, reflection_id=entry.id)
    return {
        "created_at": entry.created_at.isoformat(),
        "source": entry.source,
        "status": entry.status,
        "share_level": entry.share_level,
        "text": entry.text,
        "guided_answers": entry.parts,
        "tags": [
            {"code": tag.code, "applied": tag.applied, "set_by": tag.source} for tag in tag_rows
        ],
    }
