"""Alembic environment: runs migrations on the async engine of the configured database."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import persistence.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from persistence.db import create_engine

target_metadata = SQLModel.metadata
url = context.config.get_main_option("sqlalchemy.url")


def _run(connection: Connection) -> None:
    # Batch mode lets later ALTERs work on SQLite, which cannot alter most column properties.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_async())
