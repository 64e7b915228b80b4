"""Reflections older than the service keeps them are deleted daily, and the count audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from bot.database import Database
from storage import audit, jobs
from storage import reflections as store

BATCH = 1000


@dataclass
class Purged:
    entries: int = 0
    audio: list[Path] = field(default_factory=list)


async def purge(db: Database, *, days: int, now: datetime) -> Purged:
    """Deletes in batches, each its own transaction, so a first purge of years of entries
    never holds one huge lock; the audit row says how many went, even none."""
    cutoff, purged = now - timedelta(days=days), Purged()
    while True:
        async with db.transaction() as session:
            ids = await store.ids_created_before(session=session, before=cutoff, limit=BATCH)
            if not ids:
                break
            purged.audio += [
                Path(p) for p in await jobs.audio_paths(session=session, reflection_ids=ids)
            ]
            await store.delete_many(session=session, reflection_ids=ids)
            purged.entries += len(ids)
    async with db.transaction() as session:
        await audit.record(
            session=session,
            action="retention_purge",
            actor_telegram_id=None,
            detail={"entries": purged.entries, "older_than_days": days},
        )
    return purged
