"""Idempotency keys of case actions: the first call with a key records what it asked; its answer,
once given, is what every retry with that key is answered. Kept for a day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import IdempotencyKeyRow
from persistence.sql import dialect_insert

KEPT = timedelta(days=1)


async def get_key(session: AsyncSession, api_key_id: str, key: str, now: datetime) -> IdempotencyKeyRow | None:
    row = await session.get(IdempotencyKeyRow, (api_key_id, key))
    return row if row is not None and row.created_at > now - KEPT else None


def add_key(session: Session, api_key_id: str, key: str, fingerprint: str, now: datetime) -> None:
    """Record a key's first call (a concurrent twin's row stands); forget keys older than a day."""
    session.exec(sa.delete(IdempotencyKeyRow).where(col(IdempotencyKeyRow.created_at) <= now - KEPT))
    session.exec(
        dialect_insert(session, IdempotencyKeyRow)
        .values(api_key_id=api_key_id, key=key, fingerprint=fingerprint, created_at=now)
        .on_conflict_do_nothing(index_elements=["api_key_id", "key"])
    )


def record_answer(session: Session, api_key_id: str, key: str, status: int, answer: dict[str, Any]) -> None:
    """The first answer stands: a retry that raced the first call does not replace it."""
    session.exec(
        sa.update(IdempotencyKeyRow)
        .where(
            col(IdempotencyKeyRow.api_key_id) == api_key_id,
            col(IdempotencyKeyRow.key) == key,
            col(IdempotencyKeyRow.status).is_(None),
        )
        .values(status=status, answer=answer)
    )
