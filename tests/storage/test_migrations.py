"""The migration stairway: every revision upgrades, downgrades and upgrades again on both backends."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage import migrate
from storage.base import Base
from tests.conftest import BACKENDS


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
def test_stairway(empty_database_url: str) -> None:
    previous = "base"
    for revision in migrate.revisions(empty_database_url):
        migrate.upgrade(empty_database_url, revision)
        migrate.downgrade(empty_database_url, previous)
        migrate.upgrade(empty_database_url, revision)
        previous = revision


@pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)
async def test_head_matches_models(empty_database_url: str) -> None:
    """Migrations and models must not drift: autogenerate at head finds nothing to do."""
    await migrate.upgrade_async(empty_database_url)
    engine = create_async_engine(empty_database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert differences == []


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))
