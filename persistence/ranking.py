"""The ranking's reads and writes: the per-unit counts behind the indicators, aggregated in SQL
(one grouped query per indicator over an indexed time range, never a loop over cases), and the
stored daily rows the API serves."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.indicators import UnitCounts, UnitIndicators
from persistence.db import Database
from persistence.models import CallbackRow, CaseEventRow, CaseRow, UnitIndicatorRow
from persistence.sql import count_when, dialect_insert
from persistence.supervision import responsible_units


async def unit_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, UnitCounts]:
    """Every unit's counts for [start, end); units with nothing in the period are absent."""
    if session.get_bind().dialect.name == "postgresql":
        # One statement text serves every period: a cached generic plan (asyncpg prepares them)
        # picks nested loops fit for a day and ruinous for a month. JIT costs more than it saves.
        await session.exec(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
        await session.exec(sa.text("SET LOCAL jit = off"))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    case_id = col(CaseRow.id).label("case_id")

    closed = responsible_units(
        [case_id, col(CaseRow.callback_round).label("round")],
        col(CaseRow.closed_at) >= start,
        col(CaseRow.closed_at) < end,
    )
    answers = await session.exec(
        select(
            closed.c.unit,
            *(
                count_when(col(CallbackRow.answer) == a)
                for a in ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
            ),
        )
        .join(
            CallbackRow,
            sa.and_(
                col(CallbackRow.case_id) == closed.c.case_id,
                col(CallbackRow.round) == closed.c.round,
                col(CallbackRow.final).is_(True),
            ),
        )
        .group_by(closed.c.unit)
    )
    for unit, s, b, d, u in answers.all():
        counts[unit].update(satisfied=s, basically_satisfied=b, dissatisfied=d, unreachable=u)

    due = responsible_units(
        [case_id, col(CaseRow.replied_at).label("replied_at")],
        col(CaseRow.deadline_at) >= start,
        col(CaseRow.deadline_at) < end,
        # A case merged into another by a dispatcher is handled there: its own deadline lapsed.
        col(CaseRow.status) != "merged",
    )
    closure = await session.exec(
        select(due.c.unit, func.count(), count_when(due.c.replied_at < end)).group_by(due.c.unit)
    )
    for unit, n, done in closure.all():
        counts[unit].update(due=n, closed_by_end=done)

    replied = responsible_units(
        [case_id, col(CaseRow.on_time).label("on_time"), col(CaseRow.handling_working_days).label("days")],
        col(CaseRow.replied_at) >= start,
        col(CaseRow.replied_at) < end,
    )
    handling = await session.exec(
        select(
            replied.c.unit,
            func.count(),
            count_when(replied.c.on_time.is_(True)),
            func.coalesce(func.sum(replied.c.days), 0),
        ).group_by(replied.c.unit)
    )
    for unit, n, on_time, days in handling.all():
        counts[unit].update(replied=n, on_time=on_time, handling_days=days)

    decisions = await session.exec(
        select(
            CaseEventRow.actor_unit,
            count_when(col(CaseEventRow.kind) == "accepted"),
            count_when(col(CaseEventRow.kind) == "returned"),
        )
        .where(
            col(CaseEventRow.kind).in_(("accepted", "returned")),
            col(CaseEventRow.at) >= start,
            col(CaseEventRow.at) < end,
            col(CaseEventRow.actor_unit).is_not(None),
        )
        .group_by(CaseEventRow.actor_unit)
    )
    for unit, accepted, returned in decisions.all():
        counts[unit].update(accepted=accepted, returned=returned)

    return {unit: UnitCounts(unit=unit, **{k: int(v) for k, v in c.items()}) for unit, c in counts.items()}


async def save_indicators(db: Database, day: date, period: str, units: list[UnitIndicators], now: datetime) -> None:
    """Replace the day's rows for the period: computing a day again gives the same rows."""

    def work(session: Session) -> None:
        rows = [
            u.counts.model_dump(exclude={"unit"})
            | u.model_dump(exclude={"unit", "counts"})
            | {"day": day, "period": period, "unit_code": u.unit, "computed_at": now}
            for u in units
        ]
        stmt = dialect_insert(session, UnitIndicatorRow).values(rows)
        key = ("day", "period", "unit_code")
        session.exec(
            stmt.on_conflict_do_update(
                index_elements=list(key), set_={c: stmt.excluded[c] for c in rows[0] if c not in key}
            )
        )

    await db.write(work)


async def ranked_days(session: AsyncSession, first: date, last: date) -> set[date]:
    """The days in [first, last] whose daily ranking is stored."""
    rows = await session.exec(
        select(UnitIndicatorRow.day)
        .where(col(UnitIndicatorRow.day) >= first, col(UnitIndicatorRow.day) <= last, UnitIndicatorRow.period == "day")
        .distinct()
    )
    return set(rows.all())


async def ranking(session: AsyncSession, day: date, period: str, kind: str | None) -> list[UnitIndicatorRow]:
    """The stored ranking, best first: all units, or one kind ranked among itself."""
    rank = col(UnitIndicatorRow.rank_all) if kind is None else col(UnitIndicatorRow.rank_in_kind)
    query = select(UnitIndicatorRow).where(UnitIndicatorRow.day == day, UnitIndicatorRow.period == period)
    if kind is not None:
        query = query.where(UnitIndicatorRow.kind == kind)
    rows = await session.exec(query.order_by(rank.is_(None), rank, col(UnitIndicatorRow.unit_code)))
    return list(rows.all())


async def unit_trend(session: AsyncSession, unit: str, first: date, last: date, period: str) -> list[UnitIndicatorRow]:
    rows = await session.exec(
        select(UnitIndicatorRow)
        .where(
            UnitIndicatorRow.unit_code == unit,
            UnitIndicatorRow.period == period,
            col(UnitIndicatorRow.day) >= first,
            col(UnitIndicatorRow.day) <= last,
        )
        .order_by(col(UnitIndicatorRow.day))
    )
    return list(rows.all())
