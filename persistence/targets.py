"""Targets watched: the open breaches of each target, and a day's changes written in one
transaction with their alerts."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.indicators import CITY
from domain.notifications import NotificationKind, NotificationPolicy, Recipient, address
from domain.targets import Changes, Target
from persistence.models import TargetBreachRow
from persistence.outbox import add_notifications


async def open_breaches(session: AsyncSession, target: str) -> dict[str, TargetBreachRow]:
    rows = await session.exec(
        select(TargetBreachRow).where(TargetBreachRow.target == target, col(TargetBreachRow.recovered_on).is_(None))
    )
    return {r.scope_key: r for r in rows}


async def last_checked(session: AsyncSession, target: str) -> date | None:
    """The latest day the target was watched on (a day before it is not watched again)."""
    return (
        await session.exec(select(func.max(TargetBreachRow.last_checked_on)).where(TargetBreachRow.target == target))
    ).one()


def _recipients(notifications: NotificationPolicy, key: str) -> list[str]:
    """A unit's breach goes to whom the policy lists; the city's to all but the unit and its head."""
    if key != CITY:
        return notifications.recipients(NotificationKind.target_breach, key)
    unit = (Recipient.unit, Recipient.unit_leader)
    return [address(r, CITY) for r in notifications.target_breach if r not in unit]


def record_changes(
    session: Session, target: Target, day: date, changes: Changes, notifications: NotificationPolicy, now: datetime
) -> None:
    for r in changes.opened:
        session.add(
            TargetBreachRow(
                target=target.name,
                scope_key=r.key,
                rate=target.rate.value,
                line=target.line,
                window_days=target.window_days,
                opened_on=day,
                value=r.value,
                count=r.count,
                last_value=r.value,
                last_checked_on=day,
            )
        )
        body = {
            "kind": NotificationKind.target_breach.value,
            "target": target.name,
            "rate": target.rate.value,
            "line": target.line,
            "unit": r.key,
            "value": f"{r.value:.4f}",
            "count": str(r.count),
            "window": f"{target.window_days} days to {day.isoformat()}",
        }
        subject = f"{target.name}: {r.key} at {r.value:.1%} over {target.window_days} days (target {target.line})"
        add_notifications(
            session,
            f"target:{target.name}:{r.key}:{day.isoformat()}",
            _recipients(notifications, r.key),
            subject,
            body,
            now,
        )
    for readings, recovered in ((changes.recovered, True), (changes.still_open, False)):
        for r in readings:
            session.exec(
                sa.update(TargetBreachRow)
                .where(
                    col(TargetBreachRow.target) == target.name,
                    col(TargetBreachRow.scope_key) == r.key,
                    col(TargetBreachRow.recovered_on).is_(None),
                )
                .values(last_value=r.value, last_checked_on=day, recovered_on=day if recovered else None)
            )


async def breaches(session: AsyncSession, since: date | None) -> list[TargetBreachRow]:
    """The open breaches, and those recovered on or after ``since``; newest first."""
    recovered = col(TargetBreachRow.recovered_on)
    where = recovered.is_(None) if since is None else sa.or_(recovered.is_(None), recovered >= since)
    rows = await session.exec(
        select(TargetBreachRow).where(where).order_by(col(TargetBreachRow.opened_on).desc(), col(TargetBreachRow.id))
    )
    return list(rows)
