"""The daily ranking of units (绩效排名) and a unit's indicators over time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from api.context import Context, Reader, answers, in_order
from api.schemas.common import Day
from api.schemas.rankings import RankingOut, UnitIndicatorsOut, UnitTrendOut
from domain.indicators import Period
from persistence import ranking

router = APIRouter(prefix="/v1", tags=["ranking"])
MAX_TREND_DAYS = 366


@router.get("/rankings/daily", response_model=RankingOut, responses=answers(404))
async def daily_ranking(
    principal: Reader,
    context: Context,
    day: Annotated[date | None, Query(alias="date", description="default: yesterday in the city's zone")] = None,
    kind: Literal["all", "town", "department"] = "all",
    period: Period = Period.day,
) -> RankingOut:
    """The units ranked by score for a day, or for its month to date: all together, or towns and
    departments each among themselves. Computed each night at 00:30 for the day before."""
    zone = context.settings.timing.zone
    day = day or datetime.now(zone).date() - timedelta(days=1)
    of_kind = None if kind == "all" else kind
    async with context.db.session() as session:
        rows = await ranking.ranking(session, day, period.value, of_kind)
    if not rows:
        raise HTTPException(
            404,
            f"no ranking for {day} yet: the daily-ranking schedule computes a day at "
            f"{context.settings.ranking_schedule!r} (cron, {context.settings.timezone}) after it",
        )
    policy = context.settings.indicator_policy
    return RankingOut(
        day=day,
        period=period,
        kind=kind,
        weights=policy.weights,
        basically_satisfied_weight=policy.basically_satisfied_weight,
        partly_solved_weight=policy.partly_solved_weight,
        computed_at=max(r.computed_at for r in rows),
        items=[UnitIndicatorsOut.of(r, of_kind) for r in rows],
    )


@router.get("/units/{code}/indicators", response_model=UnitTrendOut, responses=answers(404))
async def unit_indicators(
    code: str,
    principal: Reader,
    context: Context,
    first: Annotated[Day, Query(alias="from")],
    last: Annotated[Day, Query(alias="to")],
    period: Period = Period.day,
) -> UnitTrendOut:
    """A unit's indicators, score and ranks for each ranked day from ``from`` to ``to``."""
    if code not in context.reference.units:
        raise HTTPException(404, f"no unit {code!r}; see config/units.yaml")
    in_order(first, last, MAX_TREND_DAYS, (last - first).days + 1, "days")
    async with context.db.session() as session:
        rows = await ranking.unit_trend(session, code, first, last, period.value)
    return UnitTrendOut(unit=code, period=period, items=[UnitIndicatorsOut.of(r) for r in rows])
