"""Intake's reads and writes: a request seen before, the candidates it may merge with, the request\nand its new case. All but ``find_request`` run inside intake's one write transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.matching import neighbour_cells
from persistence.models import (
    CaseRow,
    RequestRow,
)


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


def add_intake(session: Session, case: CaseRow | None, request: RequestRow) -> None:
    """The request, and its new case unless it was merged into an existing one."""
    if case is not None:
        session.add(case)
    session.add(request)
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
