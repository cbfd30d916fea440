"""Event subscriptions: a subscriber's webhook (URL, kinds, units, secret) and its cursor, the
position of the last event it received; and the deliveries made to it."""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import DeliveryRow, EventSubscriptionRow


def add_subscription(
    session: Session,
    url: str,
    kinds: list[str],
    units: list[str] | None,
    owner_key_id: str,
    owner_unit: str | None,
    cursor: int,
    now: datetime,
) -> EventSubscriptionRow:
    """A new subscription with a new secret, receiving the events published after ``cursor``."""
    row = EventSubscriptionRow(
        id="sub_" + secrets.token_hex(8),
        url=url,
        secret="whsec_" + secrets.token_urlsafe(32),
        kinds=kinds,
        units=units,
        owner_key_id=owner_key_id,
        owner_unit=owner_unit,
        cursor=cursor,
        created_at=now,
    )
    session.add(row)
    return row


async def get_subscription(session: AsyncSession, subscription_id: str) -> EventSubscriptionRow | None:
    return await session.get(EventSubscriptionRow, subscription_id)


async def list_subscriptions(session: AsyncSession, owner_unit: str | None) -> list[EventSubscriptionRow]:
    """Every subscription (``owner_unit`` None), or a unit's own."""
    query = select(EventSubscriptionRow).order_by(col(EventSubscriptionRow.created_at), col(EventSubscriptionRow.id))
    if owner_unit is not None:
        query = query.where(EventSubscriptionRow.owner_unit == owner_unit)
    return list(await session.exec(query))


async def active_subscription_ids(session: AsyncSession) -> list[str]:
    query = select(EventSubscriptionRow.id).where(col(EventSubscriptionRow.cancelled_at).is_(None))
    return list(await session.exec(query))


def cancel_subscription(session: Session, subscription_id: str, now: datetime) -> None:
    session.exec(
        sa.update(EventSubscriptionRow)
        .where(col(EventSubscriptionRow.id) == subscription_id, col(EventSubscriptionRow.cancelled_at).is_(None))
        .values(cancelled_at=now)
    )


def move_cursor(session: Session, subscription_id: str, seen: int, to: int) -> bool:
    """Move the cursor from ``seen`` to ``to``; False when it moved meanwhile (a replay asked for)."""
    result = session.exec(
        sa.update(EventSubscriptionRow)
        .where(col(EventSubscriptionRow.id) == subscription_id, col(EventSubscriptionRow.cursor) == seen)
        .values(cursor=to)
    )
    return bool(result.rowcount)


def replay_from(session: Session, subscription_id: str, position: int) -> None:
    """Deliver again from ``position`` on (the events before it count as received)."""
    session.exec(
        sa.update(EventSubscriptionRow)
        .where(col(EventSubscriptionRow.id) == subscription_id)
        .values(cursor=max(position - 1, 0))
    )


async def deliveries_to(session: AsyncSession, subscription_id: str, limit: int, offset: int) -> list[DeliveryRow]:
    """The deliveries to a subscription, the latest first."""
    rows = await session.exec(
        select(DeliveryRow)
        .where(DeliveryRow.target == subscription_id)
        .order_by(col(DeliveryRow.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)
