"""The rates a city is judged by (响应率、解决率、满意率, on-time closure, first-contact resolution)
per unit, town, domain or the city; the targets watched; and a month's requests by kind."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from api.context import Context, Reader
from api.schemas.common import Day
from api.schemas.rankings import BreachOut, KindCount, KindsOut, RateRow, RatesOut
from domain.indicators import Period, Scope, indicators_of, period_bounds
from domain.reference import UnitKind
from persistence import ranking, targets

router = APIRouter(prefix="/v1/stats", tags=["rates"])
Month = Annotated[str, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")]


@router.get("/rates", response_model=RatesOut)
async def rates(
    principal: Reader,
    context: Context,
    scope: Scope = Scope.unit,
    period: Period = Period.day,
    day: Annotated[Day | None, Query(alias="date", description="default: yesterday in the city's zone")] = None,
) -> RatesOut:
    """Response, resolution, satisfaction, closure, return, on-time (the unit's and the citizen's
    clock) and first-contact resolution rates for a day or its month to date, computed from the
    stored cases and callback answers now. A rate is null when nothing counted for it."""
    settings = context.settings
    day = day or datetime.now(settings.timing.zone).date() - timedelta(days=1)
    start, end = period_bounds(day, period, settings.timing.zone)
    async with context.db.session() as session:
        counts = await ranking.unit_counts(session, start, end, scope)
    units = context.reference.units
    items = []
    for key, c in sorted(counts.items()):
        figures = indicators_of(c, units[key].kind if key in units else UnitKind.town, settings.indicator_policy)
        items.append(
            RateRow(key=key, counts=c, **figures.model_dump(include=set(RateRow.model_fields) - {"key", "counts"}))
        )
    return RatesOut(day=day, period=period, scope=scope, start=start, end=end, items=items)


@router.get("/targets", response_model=list[BreachOut])
async def target_breaches(
    principal: Reader,
    context: Context,
    since: Annotated[date | None, Query(description="also those recovered on or after this day")] = None,
) -> list[BreachOut]:
    """Units, and the city, below a target (config/targets.yaml) over its window: open breaches
    first by the day they opened, newest first; with ``since``, the recovered ones too."""
    async with context.db.session() as session:
        rows = await targets.breaches(session, since)
    return [BreachOut.model_validate(r.model_dump() | {"unit": r.scope_key}) for r in rows]


@router.get("/kinds", response_model=KindsOut)
async def kinds(principal: Reader, context: Context, month: Month) -> KindsOut:
    """A month's requests by kind (complaint, help, consultation, suggestion, praise), and the
    suggestions and praise each unit was sent for information (reported monthly)."""
    settings = context.settings
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    start, end = period_bounds(last, Period.month, settings.timing.zone)
    informed = [k.value for k in settings.kind_policy.for_information]
    async with context.db.session() as session:
        by_kind, sent = await ranking.kind_counts(session, start, end, informed)
    return KindsOut(
        month=month,
        by_kind=[KindCount(kind=k, unit=None, requests=n) for k, n in sorted(by_kind.items())],
        for_information=[KindCount(kind=k, unit=u, requests=n) for (k, u), n in sorted(sent.items())],
    )
