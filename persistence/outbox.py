"""The outbox: notifications written in the transaction of what they announce, delivered after."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import (
    OutboxRow,
)

LEADERSHIP = "city_leadership"


DISCIPLINE_RECORD = "discipline_commission"


def slip_recipients(kind: str, unit: str) -> list[str]:
    """A reminder goes to the unit; supervision and warning slips also to city leadership and the
    discipline commission's record."""
    return [unit] if kind == "reminder" else [unit, LEADERSHIP, DISCIPLINE_RECORD]


async def pending_notifications(session: AsyncSession, limit: int) -> list[OutboxRow]:
    rows = await session.exec(
        select(OutboxRow).where(col(OutboxRow.sent_at).is_(None)).order_by(col(OutboxRow.id)).limit(limit)
    )
    return list(rows)


def mark_notifications_sent(session: Session, ids: list[int], at: datetime) -> None:
    session.exec(sa.update(OutboxRow).where(col(OutboxRow.id).in_(ids)).values(sent_at=at))
