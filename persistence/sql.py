"""SQL both databases take: inserts with the dialect's ON CONFLICT clauses, and a conditional count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, func


def dialect_insert(session: Session, model: type[SQLModel]) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (PostgreSQL or SQLite), into the model's table:
    a Core statement, which skips the ORM's bulk-insert bookkeeping (nothing reads the rows back)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model.__table__)


def insert_many(session: Session, statement: Any, rows: Sequence[dict[str, Any]]) -> None:
    """One statement run for each of ``rows`` (executemany): compiled once whatever their number,
    where a multi-row VALUES is compiled again for every count of rows."""
    if rows:
        session.connection().execute(statement, list(rows))


def upsert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    stmt = dialect_insert(session, model).values(list(rows))
    updates = {c: stmt.excluded[c] for c in rows[0] if c != key}
    session.exec(stmt.on_conflict_do_update(index_elements=[key], set_=updates))


def count_when(condition: Any) -> Any:
    """How many rows meet ``condition``: 0, not NULL, when none do."""
    return func.coalesce(func.sum(sa.case((condition, 1), else_=0)), 0)
