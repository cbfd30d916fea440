"""Intake's reads and writes: a request seen before, the candidates it may merge with, the request
and its new case, and its hand-over to the case's workflow (``HandoffRow``): written with the
request, deleted when the case records it, and what the reconciler finds left."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.case import CaseStatus
from domain.matching import neighbour_cells
from persistence.models import CaseRow, HandoffRow, RequestRow


def _request_query(channel: str, channel_ref: str) -> Any:
    return (
        select(RequestRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
        .where(RequestRow.channel == channel, RequestRow.channel_ref == channel_ref)
    )


async def find_request(session: AsyncSession, channel: str, channel_ref: str) -> tuple[RequestRow, CaseRow] | None:
    row = (await session.exec(_request_query(channel, channel_ref))).first()
    return (row[0], row[1]) if row else None


def merge_candidates(
    session: Session, new: RequestRow, since: datetime, closed_since: datetime, area_wide: tuple[str, ...]
) -> list[Any]:
    """The requests received since ``since`` at a new request's place, of cases open or closed
    since ``closed_since``: in its geo cell and the eight around it, else its grid, else its town
    at its door number (see domain/matching.py: other numbers are other places, unless the matter
    is area-wide). Rows of case_id, content, address, received_at, lat, lon, grid."""
    r = RequestRow
    if new.lat is not None and new.lon is not None:
        place = col(r.geo_cell).in_(neighbour_cells(new.lat, new.lon))
    elif new.grid:
        place = col(r.grid) == new.grid
    elif new.town_code and new.house_number is not None and new.matter_hint not in area_wide:
        # Only an address: a town holds thousands of open cases, a door number a handful.
        place = sa.and_(
            col(r.town_code) == new.town_code,
            sa.or_(
                col(r.house_number) == new.house_number,
                col(r.house_number).is_(None),
                col(r.matter_hint).in_(area_wide),
            ),
        )
    elif new.town_code:
        place = col(r.town_code) == new.town_code
    else:
        return []
    return list(
        session.exec(
            select(r.case_id, r.content, r.address, r.received_at, r.lat, r.lon, r.grid)
            .join(CaseRow, col(CaseRow.id) == col(r.case_id))
            .where(
                place,
                col(r.received_at) >= since,
                col(CaseRow.status) != "merged",
                sa.or_(col(CaseRow.status) != "closed", col(CaseRow.closed_at) >= closed_since),
            )
        ).all()
    )


def earlier_request(session: Session, channel: str, channel_ref: str) -> tuple[RequestRow, CaseRow] | None:
    """The request this channel sent before under this reference, with its case.

    On SQLite writes are serialised, so the look-up settles it; on PostgreSQL a concurrent twin can
    still pass the look-up, and the unique (channel, channel_ref) key stops it with IntegrityError.
    """
    row = session.exec(_request_query(channel, channel_ref)).first()
    return (row[0], row[1]) if row else None


def add_intake(session: Session, case: CaseRow | None, request: RequestRow, due_at: datetime | None = None) -> None:
    """The request with its hand-over (the reconciler's from ``due_at``, by default at once), and
    its new case unless it was merged into an existing one."""
    if case is not None:
        session.add(case)
    session.add(request)
    session.flush()
    session.add(HandoffRow(request_id=request.id, created_at=request.received_at, due_at=due_at or request.received_at))
    session.flush()


def move_request(session: Session, request_id: str, case: CaseRow) -> None:
    """A merged request whose case closed before it could join: it opens ``case`` instead."""
    session.add(case)
    session.flush()
    session.exec(
        sa.update(RequestRow)
        .where(col(RequestRow.id) == request_id)
        .values(case_id=case.id, merged_similarity=None, merged_place=None)
    )


def kept(session: Session, request: RequestRow, now: datetime) -> None:
    """Intake gave the request up to the reconciler, which may take it at once. A case it opens
    shows as starting until it is started (or until the worker records its first step, had the
    start gone through after all)."""
    session.exec(sa.update(HandoffRow).where(col(HandoffRow.request_id) == request.id).values(due_at=now))
    if request.merged_place is None:
        session.exec(
            sa.update(CaseRow)
            .where(
                col(CaseRow.id) == request.case_id,
                col(CaseRow.seq) == 0,
                col(CaseRow.status) == CaseStatus.received.value,
            )
            .values(status=CaseStatus.starting.value)
        )


async def due_handoffs(
    session: AsyncSession, now: datetime, after: tuple[datetime, str] | None, limit: int
) -> list[tuple[HandoffRow, RequestRow, CaseRow]]:
    """Hand-overs due by ``now`` (and past ``after``, the last one of the page before), oldest
    first, so that a case is started before a later request joins it; with their requests and
    cases."""
    h = HandoffRow
    query = (
        select(h, RequestRow, CaseRow)
        .join(RequestRow, col(RequestRow.id) == col(h.request_id))
        .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
        .where(col(h.due_at) <= now)
        .order_by(col(h.created_at), col(h.request_id))
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(col(h.created_at), col(h.request_id)) > sa.tuple_(*after))
    return [(hand, r, c) for hand, r, c in (await session.exec(query)).all()]


async def pending_opener(session: AsyncSession, case_id: str) -> tuple[RequestRow, CaseRow] | None:
    """The request that opens the case, with the case, if its workflow has not recorded it yet."""
    row = (
        await session.exec(
            select(RequestRow, CaseRow)
            .join(HandoffRow, col(HandoffRow.request_id) == col(RequestRow.id))
            .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
            .where(col(RequestRow.case_id) == case_id, col(RequestRow.merged_place).is_(None))
        )
    ).first()
    return (row[0], row[1]) if row else None


def handed_over(session: Session, requests: list[RequestRow]) -> None:
    """The engine has the requests (their cases started, or the signals to join sent): the cases
    take them from there, so the hand-overs are done and a case shown as starting is received."""
    session.exec(sa.delete(HandoffRow).where(col(HandoffRow.request_id).in_([r.id for r in requests])))
    session.exec(
        sa.update(CaseRow)
        .where(
            col(CaseRow.id).in_({r.case_id for r in requests}),
            col(CaseRow.status) == CaseStatus.starting.value,
        )
        .values(status=CaseStatus.received.value)
    )


def handover_failed(session: Session, request_id: str, error: str) -> None:
    session.exec(
        sa.update(HandoffRow)
        .where(col(HandoffRow.request_id) == request_id)
        .values(attempts=HandoffRow.attempts + 1, last_error=error[:500])
    )


def recorded(session: Session, request_ids: list[str]) -> None:
    """The case's workflow has recorded these requests: their hand-overs are done."""
    session.exec(sa.delete(HandoffRow).where(col(HandoffRow.request_id).in_(request_ids)))


async def pending_handoffs(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many requests wait to be handed over, and since when the oldest."""
    count, oldest = (await session.exec(select(sa.func.count(), sa.func.min(HandoffRow.created_at)))).one()
    return int(count), oldest


async def awaiting_start(session: AsyncSession, case_id: str) -> bool:
    """The worker has recorded nothing of the case: its workflow may not have been started yet."""
    seq = (await session.exec(select(CaseRow.seq).where(col(CaseRow.id) == case_id))).first()
    return seq == 0
