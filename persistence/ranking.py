"""The ranking's reads and writes: the per-unit counts behind the indicators, aggregated in SQL
(one grouped query per indicator over an indexed time range, never a loop over cases), and the
stored daily rows the API serves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.indicators import CITY, Scope, UnitCounts, UnitIndicators
from persistence.db import Database
from persistence.models import CallbackRow, CaseEventRow, CaseRow, RequestRow, SlipRow, UnitIndicatorRow
from persistence.sql import count_when, dialect_insert
from persistence.supervision import responsible_units


def _grouped(scope: Scope) -> Callable[..., Any]:
    """(unit, *columns) for each case matching ``where``, keyed by the scope: each unit responsible
    for it, its town, its domain, or the city."""
    if scope is Scope.unit:
        return responsible_units
    key = _CASE_KEY[scope]

    def grouped(columns: Sequence[Any], *where: Any) -> Any:
        present = [] if scope is Scope.city else [key.is_not(None)]
        return select(key.label("unit"), *columns).where(*present, *where).subquery()

    return grouped


_CASE_KEY: dict[Scope, Any] = {
    Scope.town: col(CaseRow.town_code),
    Scope.domain: col(CaseRow.domain_code),
    Scope.city: sa.literal(CITY),
}


def _by_case(scope: Scope, query: Any, unit_column: Any, case_id_column: Any) -> tuple[Any, Any]:
    """A query over rows that name a unit and a case (events, slips), and the key to group it by:
    the row's unit for units, else the case's town, domain or the city."""
    if scope is Scope.unit:
        return query.where(unit_column.is_not(None)), unit_column
    key = _CASE_KEY[scope]
    joined = query.join(CaseRow, col(CaseRow.id) == case_id_column).where(unit_column.is_not(None))
    return (joined if scope is Scope.city else joined.where(key.is_not(None))), key


async def unit_counts(
    session: AsyncSession, start: datetime, end: datetime, scope: Scope = Scope.unit
) -> dict[str, UnitCounts]:
    """Every unit's (town's, domain's, the city's) counts for [start, end); those with nothing in
    the period are absent."""
    if session.get_bind().dialect.name == "postgresql":
        # One statement text serves every period: a cached generic plan (asyncpg prepares them)
        # picks nested loops fit for a day and ruinous for a month. JIT costs more than it saves.
        await session.exec(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
        await session.exec(sa.text("SET LOCAL jit = off"))
    grouped = _grouped(scope)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    case_id = col(CaseRow.id).label("case_id")

    closed = grouped(
        [
            case_id,
            col(CaseRow.callback_round).label("round"),
            col(CaseRow.resolved_first_time).label("first_time"),
            col(CaseRow.first_contact).label("first_contact"),
        ],
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
            *(count_when(col(CallbackRow.resolution) == r) for r in ("solved", "partly_solved", "not_solved")),
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
    for unit, s, b, d, u, solved, partly, not_solved in answers.all():
        counts[unit].update(
            satisfied=s,
            basically_satisfied=b,
            dissatisfied=d,
            unreachable=u,
            solved=solved,
            partly_solved=partly,
            not_solved=not_solved,
        )
    first_time = await session.exec(
        select(
            closed.c.unit,
            func.count(),
            count_when(closed.c.first_time.is_(True)),
            count_when(closed.c.first_contact.is_(True)),
        )
        .where(closed.c.first_time.is_not(None))
        .group_by(closed.c.unit)
    )
    for unit, n, resolved, answered in first_time.all():
        counts[unit].update(closed=n, resolved_first_time=resolved, answered_first_contact=answered)

    due = grouped(
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

    replied = grouped(
        [
            case_id,
            col(CaseRow.on_time).label("on_time"),
            col(CaseRow.handling_working_days).label("days"),
            col(CaseRow.citizen_on_time).label("citizen_on_time"),
        ],
        col(CaseRow.replied_at) >= start,
        col(CaseRow.replied_at) < end,
    )
    handling = await session.exec(
        select(
            replied.c.unit,
            func.count(),
            count_when(replied.c.on_time.is_(True)),
            func.coalesce(func.sum(replied.c.days), 0),
            count_when(replied.c.citizen_on_time.is_not(None)),
            count_when(replied.c.citizen_on_time.is_(True)),
        ).group_by(replied.c.unit)
    )
    for unit, n, on_time, days, clocked, citizen_on_time in handling.all():
        counts[unit].update(
            replied=n, on_time=on_time, handling_days=days, citizen_clocked=clocked, citizen_on_time=citizen_on_time
        )

    late = sa.exists().where(
        col(SlipRow.case_id) == col(CaseEventRow.case_id),
        col(SlipRow.trigger) == "acceptance",
        col(SlipRow.unit_code) == col(CaseEventRow.actor_unit),
        col(SlipRow.issued_at) <= col(CaseEventRow.at),
    )
    events, key = _by_case(
        scope,
        select()
        .select_from(CaseEventRow)
        .where(
            col(CaseEventRow.kind).in_(("accepted", "returned")),
            col(CaseEventRow.at) >= start,
            col(CaseEventRow.at) < end,
        ),
        col(CaseEventRow.actor_unit),
        col(CaseEventRow.case_id),
    )
    decisions = await session.exec(
        events.add_columns(
            key,
            count_when(col(CaseEventRow.kind) == "accepted"),
            count_when(col(CaseEventRow.kind) == "returned"),
            count_when(sa.and_(col(CaseEventRow.kind) == "accepted", ~late)),
        ).group_by(key)
    )
    for unit, accepted, returned, in_time in decisions.all():
        counts[unit].update(accepted=accepted, returned=returned, accepted_in_time=in_time)

    slips, key = _by_case(
        scope,
        select()
        .select_from(SlipRow)
        .where(col(SlipRow.trigger) == "acceptance", col(SlipRow.issued_at) >= start, col(SlipRow.issued_at) < end),
        col(SlipRow.unit_code),
        col(SlipRow.case_id),
    )
    for unit, n in (await session.exec(slips.add_columns(key, func.count()).group_by(key))).all():
        counts[unit].update(acceptance_slips=n)

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


async def kind_counts(
    session: AsyncSession, start: datetime, end: datetime, informed: Sequence[str]
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Requests received in [start, end) by kind; and the cases of the ``informed`` kinds
    (suggestions, praise) received then, by kind and the unit they were sent to."""
    by_kind = await session.exec(
        select(RequestRow.kind, func.count())
        .where(col(RequestRow.received_at) >= start, col(RequestRow.received_at) < end)
        .group_by(RequestRow.kind)
    )
    sent = await session.exec(
        select(CaseRow.kind, CaseRow.unit_code, func.count())
        .where(
            col(CaseRow.received_at) >= start,
            col(CaseRow.received_at) < end,
            col(CaseRow.kind).in_(informed),
            col(CaseRow.unit_code).is_not(None),
        )
        .group_by(CaseRow.kind, CaseRow.unit_code)
    )
    return (
        {kind or "unknown": int(n) for kind, n in by_kind.all()},
        {(kind, unit): int(n) for kind, unit, n in sent.all() if kind and unit},
    )
