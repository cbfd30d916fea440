"""The console's reads: a unit's inbox, the cases behind a leader's figure, and today's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.case import QUEUED, CaseStatus
from persistence.cases import with_first_requests
from persistence.models import CaseEventRow, CaseRow, RequestRow, SlipRow, SummonsRow

IN_HAND = (CaseStatus.dispatched, CaseStatus.accepted)
"""A unit's open cases: dispatched to it (to accept) or accepted (to reply)."""
OPEN = (*QUEUED, *IN_HAND, CaseStatus.replied)
"""Not closed yet: in the queue, with a unit, or replied and waiting for the callback."""

Basis = Literal["received", "closed", "replied", "due", "responded", "slip"]
"""What puts a case in a period's figure: received, closed, replied or due (its unit's deadline)
then; accepted or slipped for not accepting then (the response rate's cases); a slip issued then."""

_AT = {
    "received": CaseRow.received_at,
    "closed": CaseRow.closed_at,
    "replied": CaseRow.replied_at,
    "due": CaseRow.deadline_at,
}


@dataclass(frozen=True)
class CaseQuery:
    """Which cases a console list shows: each field narrows it (the figures' links set one)."""

    status: str | None = None
    open: bool = False
    unit: str | None = None
    overdue: bool = False
    """Past the unit's deadline without a reply (a supervision slip went out)."""
    citizen_overdue: bool = False
    dispatch_overdue: bool = False
    on: Basis | None = None
    """With ``start`` and ``end``: the cases behind a day's or a month's figure."""
    start: datetime | None = None
    end: datetime | None = None
    slip: str | None = None
    """With ``on="slip"``: of this kind only (reminder, supervision, warning)."""
    case_id: str | None = None

    def conditions(self, now: datetime) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if self.status:
            where.append(col(CaseRow.status) == self.status)
        if self.open:
            where.append(col(CaseRow.status).in_(OPEN))
        if self.unit:
            where.append(col(CaseRow.unit_code) == self.unit)
        if self.overdue:
            where += [col(CaseRow.overdue).is_(True), col(CaseRow.status).in_(IN_HAND)]
        if self.citizen_overdue:
            where += [
                col(CaseRow.citizen_due_at) < now,
                col(CaseRow.replied_at).is_(None),
                col(CaseRow.status).in_(OPEN),
            ]
        if self.dispatch_overdue:
            where += [col(CaseRow.dispatch_by) < now, col(CaseRow.status).in_(QUEUED)]
        if self.case_id:
            where.append(col(CaseRow.id) == self.case_id)
        if self.on and self.start and self.end:
            where.append(self._in_period(self.on, self.start, self.end))
        return where

    def _in_period(self, on: Basis, start: datetime, end: datetime) -> ColumnElement[bool]:
        """As ``ranking.unit_counts`` counts each rate's cases for the period [start, end)."""
        if on in _AT:
            at = col(_AT[on])
            due = [col(CaseRow.status) != CaseStatus.merged] if on == "due" else []
            return sa.and_(at >= start, at < end, *due)
        slips = sa.exists().where(
            col(SlipRow.case_id) == col(CaseRow.id), col(SlipRow.issued_at) >= start, col(SlipRow.issued_at) < end
        )
        if on == "slip":
            return slips.where(col(SlipRow.kind) == self.slip) if self.slip else slips
        accepted = sa.exists().where(
            col(CaseEventRow.case_id) == col(CaseRow.id),
            col(CaseEventRow.kind) == "accepted",
            col(CaseEventRow.at) >= start,
            col(CaseEventRow.at) < end,
        )
        return sa.or_(accepted, slips.where(col(SlipRow.trigger) == "acceptance"))


async def count_cases(session: AsyncSession, query: CaseQuery, now: datetime) -> int:
    return (await session.exec(select(func.count()).select_from(CaseRow).where(*query.conditions(now)))).one()


async def find_cases(
    session: AsyncSession, query: CaseQuery, now: datetime, limit: int, offset: int = 0
) -> list[tuple[CaseRow, RequestRow | None]]:
    """Cases, the newest first, each with its first request."""
    rows = list(
        await session.exec(
            select(CaseRow)
            .where(*query.conditions(now))
            .order_by(col(CaseRow.received_at).desc(), col(CaseRow.id))
            .limit(limit)
            .offset(offset)
        )
    )
    return await with_first_requests(session, rows)


@dataclass
class Inbox:
    new: list[tuple[CaseRow, RequestRow | None]]
    soon: list[tuple[CaseRow, RequestRow | None]]
    overdue: list[tuple[CaseRow, RequestRow | None]]
    in_hand: list[tuple[CaseRow, RequestRow | None]]
    summoned: list[tuple[SummonsRow, CaseRow]]


async def unit_inbox(session: AsyncSession, unit: str, now: datetime, soon: timedelta, limit: int) -> Inbox:
    """A unit's open cases, the nearest deadline first: new (to accept), overdue, due within
    ``soon``, the others in hand; and the summonses it has not answered."""
    rows = list(
        await session.exec(
            select(CaseRow)
            .where(col(CaseRow.unit_code) == unit, col(CaseRow.status).in_(IN_HAND))
            # A dispatched case always has its deadline: no NULLs to place, and the index gives the order.
            .order_by(col(CaseRow.status), col(CaseRow.deadline_at))
            .limit(limit)
        )
    )
    cases = await with_first_requests(session, rows)
    new = [c for c in cases if c[0].status == CaseStatus.dispatched]
    accepted = [c for c in cases if c[0].status == CaseStatus.accepted]
    late = [c for c in accepted if c[0].overdue or (c[0].deadline_at and c[0].deadline_at < now)]
    due_soon = [c for c in accepted if c not in late and c[0].deadline_at and c[0].deadline_at < now + soon]
    rest = [c for c in accepted if c not in late and c not in due_soon]
    summoned = await session.exec(
        select(SummonsRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(SummonsRow.case_id))
        .where(col(SummonsRow.unit) == unit, col(SummonsRow.status) == "summoned")
        .order_by(col(SummonsRow.respond_by).asc().nulls_last())
        .limit(limit)
    )
    return Inbox(new, due_soon, late, rest, [(s, c) for s, c in summoned.all()])
