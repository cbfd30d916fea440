"""The outbox: notifications written in the transaction of what they announce, delivered after;
and the record of each one's delivery (one row per outbox row, i.e. per notification and
recipient, however many attempts it takes)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.notifications import NotificationKind, Recipient
from persistence.models import DeliveryRow, OutboxRow
from persistence.sql import dialect_insert

LEADERSHIP = Recipient.city_leadership.value
DISCIPLINE_RECORD = Recipient.discipline_commission.value


def notification_kind(item: OutboxRow) -> str:
    """What an outbox row announces: a slip's kind, an accountability step, or a typical inaction."""
    for field in ("kind", "step"):
        value = item.body.get(field)
        if value is not None and value in NotificationKind.__members__:
            return value
    return item.dedupe_key.split(":", 1)[0][:32]


def add_notifications(
    session: Session, key: str, recipients: list[str], subject: str, body: dict[str, str], at: datetime
) -> None:
    """One notification per recipient, once per ``key`` (a repeated write adds nothing)."""
    session.exec(
        dialect_insert(session, OutboxRow)
        .values(
            [
                {"dedupe_key": key, "recipient": r, "subject": subject, "body": body, "created_at": at}
                for r in recipients
            ]
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key", "recipient"])
    )


async def pending_notifications(session: AsyncSession, limit: int) -> list[OutboxRow]:
    rows = await session.exec(
        select(OutboxRow).where(col(OutboxRow.sent_at).is_(None)).order_by(col(OutboxRow.id)).limit(limit)
    )
    return list(rows)


def mark_notifications_sent(session: Session, ids: list[int], at: datetime) -> None:
    session.exec(sa.update(OutboxRow).where(col(OutboxRow.id).in_(ids)).values(sent_at=at))


def record_delivery(session: Session, item: OutboxRow, at: datetime, error: str | None = None) -> None:
    """One attempt at delivering ``item``: its row is created, or its attempts counted and outcome
    updated. A delivered row stays delivered (another worker's failing repeat does not undo it), and
    keeps the time it was first delivered."""
    assert item.id is not None
    delivered = error is None
    stmt = dialect_insert(session, DeliveryRow).values(
        outbox_id=item.id,
        case_id=item.body.get("case_id"),
        recipient=item.recipient,
        kind=notification_kind(item),
        outcome="delivered" if delivered else "failed",
        attempts=1,
        error=None if delivered else error[:500],
        first_attempt_at=at,
        last_attempt_at=at,
        delivered_at=at if delivered else None,
    )
    was_delivered = col(DeliveryRow.outcome) == "delivered"
    session.exec(
        stmt.on_conflict_do_update(
            index_elements=["outbox_id"],
            set_={
                "attempts": col(DeliveryRow.attempts) + 1,
                "last_attempt_at": stmt.excluded.last_attempt_at,
                "outcome": sa.case((was_delivered, "delivered"), else_=stmt.excluded.outcome),
                "error": sa.case((was_delivered, None), else_=stmt.excluded.error),
                "delivered_at": sa.func.coalesce(col(DeliveryRow.delivered_at), stmt.excluded.delivered_at),
            },
        )
    )


async def deliveries_of_case(session: AsyncSession, case_id: str) -> list[DeliveryRow]:
    rows = await session.exec(
        select(DeliveryRow).where(DeliveryRow.case_id == case_id).order_by(col(DeliveryRow.outbox_id))
    )
    return list(rows)
