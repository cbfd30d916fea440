"""SQL that works on both databases: inserts with the dialect's ON CONFLICT clauses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def dialect_insert(session: Session, model: type[SQLModel]) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def upsert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    stmt = dialect_insert(session, model).values(list(rows))
    updates = {c: stmt.excluded[c] for c in rows[0] if c != key}
    session.exec(stmt.on_conflict_do_update(index_elements=[key], set_=updates))
