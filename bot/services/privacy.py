"""A tutor's own data: everything we hold about them as one file, or erased for good."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.identity import Identity
from storage import audit
from storage import jobs as job_store
from storage import reflections as store
from storage import tags as tag_store
from storage import tutors as tutor_store
from storage.models import Reflection


async def export(session: AsyncSession, *, who: Identity) -> bytes:
    """JSON a tutor can open or hand to someone else; the download itself is audited."""
    tutor = await tutor_store.require(session, tutor_id=who.tutor_id)
    entries = await store.all_reflections(session, tutor_id=tutor.id)
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


async def count(session: AsyncSession, *, who: Identity) -> int:
    return await store.count_reflections(session, tutor_id=who.tutor_id)


async def forget(session: AsyncSession, *, who: Identity) -> list[Path]:
    """Deletes the tutor and every entry; returns kept audio files to remove after commit."""
    paths = await job_store.tutor_audio_paths(session, tutor_id=who.tutor_id)
    await audit.record(session, action="tutor_erased", actor_telegram_id=who.telegram_user_id)
    await tutor_store.delete_tutor(session, tutor_id=who.tutor_id)
    return [Path(path) for path in paths]


async def _entry(session: AsyncSession, entry: Reflection) -> dict[str, Any]:
    tag_rows = await tag_store.tags_for(session, reflection_id=entry.id)
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


async def remove_files(paths: list[Path]) -> None:
    """Deletes audio after its rows are gone, in a thread so other tutors are not kept waiting."""
    for path in paths:
        await asyncio.to_thread(path.unlink, missing_ok=True)
