"""At LOG_LEVEL=DEBUG, with a database error on the way, no reflection text and no token is logged."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from bot.logs import LIBRARY_LEVELS, configure_logging
from bot.sandbox.runner import Sandbox
from bot.settings import SANDBOX_TOKEN
from tests.conftest import BACKENDS
from tests.integration.conftest import Chat, bot_says, onboard

SECRETS = [
    "Leo finally held the bow properly",
    "Maya sang the harmony line alone",
    "rehearsal disaster with the glockenspiels",
    "the twins argued over the cajon",
    SANDBOX_TOKEN,
    "SANDBOX-not-a-real-token",
]
FAILING = "rehearsal disaster with the glockenspiels"
SQLITE_TRIGGER = [
    f"""CREATE TRIGGER injected_failure BEFORE INSERT ON reflections
    WHEN NEW.text LIKE '%{FAILING}%' BEGIN SELECT RAISE(ABORT, 'injected failure'); END"""
]
POSTGRES_TRIGGER = [
    f"""CREATE FUNCTION injected_failure() RETURNS trigger AS $$ BEGIN
    IF NEW.text LIKE '%{FAILING}%' THEN RAISE EXCEPTION 'injected failure'; END IF;
    RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER injected_failure BEFORE INSERT ON reflections
    FOR EACH ROW EXECUTE FUNCTION injected_failure()""",
]


pytestmark = pytest.mark.parametrize("sandbox_settings", BACKENDS, indirect=True)


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything logged anywhere, at DEBUG, configured exactly as `reflectbot` configures it."""
    root = logging.getLogger()
    saved = root.level, {name: logging.getLogger(name).level for name in LIBRARY_LEVELS}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    configure_logging("DEBUG")
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


async def inject_database_error(sandbox: Sandbox) -> None:
    """A real database error, raised by the database itself, on one particular entry."""
    db = sandbox.app.bot_data.db
    statements = POSTGRES_TRIGGER if db.url.startswith("postgresql") else SQLITE_TRIGGER
    async with db.transaction() as session:
        for statement in statements:
            await session.execute(text(statement))


async def test_debug_logs_hold_no_reflection_text_and_no_token(
    sandbox: Sandbox, aisha: Chat, debug_log: io.StringIO
) -> None:
    await inject_database_error(sandbox)
    await onboard(aisha)
    await aisha.wait_for(bot_says("saved"), after=await aisha.say(SECRETS[0]))
    mark = await aisha.say("/reflect quick")
    await aisha.wait_for(bot_says("1/"), after=mark)
    await aisha.wait_for(bot_says("saved"), after=await aisha.say(SECRETS[1]))
    failed = await aisha.say(f"Today was a {FAILING}")
    await aisha.wait_for(bot_says("sorry"), after=failed)
    await aisha.wait_for(bot_says("saved"), after=await aisha.say(SECRETS[3]))
    await aisha.wait_for(bot_says("your last"), after=await aisha.say("/history"))
    logged = debug_log.getvalue()
    assert "injected failure" in logged, "the database error was logged, with its traceback"
    assert "DEBUG" in logged, "the log really was at DEBUG"
    leaked = [secret for secret in SECRETS if secret.lower() in logged.lower()]
    assert leaked == []
