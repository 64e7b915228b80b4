"""Insert-if-absent that works the same on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def insert_if_absent(
    *,
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: list[str],
    returning: str = "id",
) -> int | None:
    """Returns the new row's id, or None when a row with the same keys already existed."""
    table = model.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=keys)
        .returning(table.c[returning])
    )
    result = await session.execute(statement)
    return result.scalar_one_or_none()
