"""Supervision figures: the slips issued, and on-time and handling-time figures per unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.context import Context, Reader, field_errors, own_unit
from api.schemas.common import Instant, Offset
from api.schemas.supervision import HandlingFiguresOut, HandlingStats, SlipOut, SlipPage
from domain.case import SlipKind
from persistence import supervision
from persistence.supervision import HandlingRow, SlipFilter

router = APIRouter(prefix="/v1", tags=["supervision"])


def period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    until = until or datetime.now(UTC)
    since = since or until - timedelta(days=30)
    if since >= until:
        raise field_errors({"from": "'from' must be before 'to'"}, "query")
    return since, until


@router.get("/slips", response_model=SlipPage)
async def list_slips(
    principal: Reader,
    context: Context,
    unit: str | None = None,
    kind: SlipKind | None = None,
    since: Annotated[Instant | None, Query(alias="from")] = None,
    until: Annotated[Instant | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> SlipPage:
    """Supervision slips issued, newest first, with counts by kind over the whole filter."""
    where = SlipFilter(unit=own_unit(principal, unit), kind=kind, since=since, until=until)
    async with context.db.session() as session:
        counts, rows = await supervision.list_slips(session, where, limit, offset)
    return SlipPage(
        counts={k.value: counts.get(k.value, 0) for k in SlipKind},
        limit=limit,
        offset=offset,
        items=[SlipOut.of(r) for r in rows],
    )


def _figures(row: HandlingRow) -> HandlingFiguresOut:
    return HandlingFiguresOut(
        unit=row.unit,
        replied=row.replied,
        on_time=row.on_time,
        on_time_rate=round(row.on_time / row.replied, 4) if row.replied else None,
        citizen_on_time=row.citizen_on_time,
        returns_asked=row.returns_asked,
        returns_approved=row.returns_approved,
        citizen_on_time_rate=round(row.citizen_on_time / row.citizen_clocked, 4) if row.citizen_clocked else None,
        average_working_days=round(row.average_working_days, 2) if row.average_working_days is not None else None,
        open_overdue=row.open_overdue,
    )


@router.get("/stats/handling", response_model=HandlingStats)
async def handling_stats(
    principal: Reader,
    context: Context,
    unit: str | None = None,
    since: Annotated[Instant | None, Query(alias="from")] = None,
    until: Annotated[Instant | None, Query(alias="to")] = None,
) -> HandlingStats:
    """On-time closure rate and average handling time (working days from receipt) of the cases
    replied in the period (default: the last 30 days), per unit and for the city. A case counts
    for its lead unit and for every unit that responded to a summons on it (shared
    responsibility, 同责); the city counts each case once."""
    since, until = period(since, until)
    async with context.db.session() as session:
        rows = await supervision.handling_stats(session, since, until, own_unit(principal, unit))
        city = await supervision.city_handling(session, since, until)
    return HandlingStats(since=since, until=until, city=_figures(city), units=[_figures(r) for r in rows])
