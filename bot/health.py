"""`GET /healthz`: is the database reachable, is work piling up, are the workers alive."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.database import Database
from storage import health
from storage.base import utcnow

logger = logging.getLogger(__name__)

WORKER_SILENT_AFTER = timedelta(minutes=2)


async def report(db: Database) -> tuple[int, dict[str, Any]]:
    """The HTTP status and the body: 503 only when the database cannot be reached."""
    now = utcnow()
    try:
        async with db.transaction() as session:
            backlog = await health.backlog(session=session)
            alive = await health.heartbeats(session=session, since=now - WORKER_SILENT_AFTER)
    except Exception as error:
        logger.warning("health check: database unreachable (%s)", type(error).__name__)
        return 503, {"status": "down", "database": "unreachable"}
    oldest = backlog.oldest_queued_at
    return 200, {
        "status": "ok" if alive or not backlog.queued else "degraded",
        "database": "ok",
        "inbox_backlog": backlog.inbox,
        "transcription_queue": backlog.queued,
        "oldest_queued_seconds": round((now - oldest).total_seconds()) if oldest else None,
        "workers_alive": [beat.worker_id for beat in alive],
        "last_worker_heartbeat_seconds": (
            round((now - alive[0].seen_at).total_seconds()) if alive else None
        ),
    }


class HealthServer:
    """A tiny HTTP server beside the bot, for Docker's healthcheck or a monitoring probe."""

    def __init__(self, db: Database, *, host: str, port: int) -> None:
        self.db, self.host, self.port = db, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        logger.info("health check on http://%s:%d/healthz", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        status, body = await report(self.db)
        return web.json_response(body, status=status)
