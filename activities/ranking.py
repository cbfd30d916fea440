"""The daily ranking's activities: which days to compute, and computing one day."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta

import structlog
from pydantic import BaseModel
from temporalio import activity

from domain.deadlines import Timing
from domain.indicators import (
    IndicatorPolicy,
    Period,
    Scope,
    UnitCounts,
    days_to_rank,
    indicators_of,
    period_bounds,
    rank_units,
)
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationPolicy
from domain.reference import ReferenceData
from domain.targets import DEFAULT_TARGETS, Reading, TargetPolicy, changes, readings
from persistence import ranking, targets
from persistence.db import Database

log = structlog.get_logger(__name__)


class RankingDaysInput(BaseModel):
    scheduled_at: datetime
    day: date | None
    catch_up_days: int


class RankDayInput(BaseModel):
    day: date


class DayRanked(BaseModel):
    day: date
    units_ranked: int
    first: str | None
    """The best-ranked unit of the day, for the run's result in the UI."""


class WatchInput(BaseModel):
    day: date


class TargetsWatched(BaseModel):
    opened: list[str]
    """``target:unit`` of each breach opened (and alerted) on the day."""
    recovered: list[str]


class RankingActivities:
    def __init__(
        self,
        db: Database,
        reference: ReferenceData,
        timing: Timing,
        policy: IndicatorPolicy,
        targets: TargetPolicy = DEFAULT_TARGETS,
        notifications: NotificationPolicy = DEFAULT_NOTIFICATIONS,
    ) -> None:
        self.db = db
        self.reference = reference
        self.timing = timing
        self.policy = policy
        self.targets = targets
        self.notifications = notifications

    @activity.defn(name="days_to_rank")
    async def days_to_rank(self, inp: RankingDaysInput) -> list[date]:
        # The city's zone decides which day "yesterday" is; zones are not for workflows.
        target = inp.day or inp.scheduled_at.astimezone(self.timing.zone).date() - timedelta(days=1)
        async with self.db.session() as session:
            ranked = await ranking.ranked_days(session, target - timedelta(days=inp.catch_up_days), target)
        return days_to_rank(target, inp.catch_up_days, ranked)

    @activity.defn(name="rank_day")
    async def rank_day(self, inp: RankDayInput) -> DayRanked:
        """The day's ranking and its month to date, for every unit, stored in place of any earlier."""
        ranked_day: list[str] = []
        for period in Period:
            start, end = period_bounds(inp.day, period, self.timing.zone)
            async with self.db.session() as session:
                counts = await ranking.unit_counts(session, start, end)
            units = rank_units(
                [
                    indicators_of(counts.get(code) or UnitCounts(unit=code), unit.kind, self.policy)
                    for code, unit in self.reference.units.items()
                ]
            )
            await ranking.save_indicators(self.db, inp.day, period.value, units, datetime.now(UTC))
            if period is Period.day:
                ranked_day = [u.unit for u in units if u.rank_all is not None]
        log.info("daily ranking computed", day=inp.day.isoformat(), units_ranked=len(ranked_day))
        return DayRanked(day=inp.day, units_ranked=len(ranked_day), first=ranked_day[0] if ranked_day else None)

    @activity.defn(name="watch_targets")
    async def watch_targets(self, inp: WatchInput) -> TargetsWatched:
        """Each target over its window ending on the day: breaches opened (one alert each),
        recovered, or still open. A day before one already watched is not watched again."""
        opened: list[str] = []
        recovered: list[str] = []
        kinds = {code: unit.kind for code, unit in self.reference.units.items()}
        # Targets sharing a window and scope (the shipped two do) share one count of it.
        counted: dict[tuple[int, Scope], dict[str, UnitCounts]] = {}
        for target in self.targets.targets:
            async with self.db.session() as session:
                last = await targets.last_checked(session, target.name)
                if last is not None and last > inp.day:
                    log.info("target already watched on a later day", target=target.name, day=inp.day.isoformat())
                    continue
                start, _ = period_bounds(inp.day - timedelta(days=target.window_days - 1), Period.day, self.timing.zone)
                _, end = period_bounds(inp.day, Period.day, self.timing.zone)
                found: list[Reading] = []
                for scope in target.scopes:
                    if (target.window_days, scope) not in counted:
                        counts = await ranking.unit_counts(session, start, end, scope)
                        if scope is Scope.unit:
                            counts = {k: c for k, c in counts.items() if k in kinds}
                        counted[target.window_days, scope] = counts
                    found += readings(target, counted[target.window_days, scope], kinds, self.policy)
                open_keys = set(await targets.open_breaches(session, target.name))
            change = changes(found, open_keys)
            await self.db.write(
                functools.partial(
                    targets.record_changes,
                    target=target,
                    day=inp.day,
                    changes=change,
                    notifications=self.notifications,
                    now=datetime.now(UTC),
                )
            )
            opened += [f"{target.name}:{r.key}" for r in change.opened]
            recovered += [f"{target.name}:{r.key}" for r in change.recovered]
            for r in change.opened:
                log.warning("target breached", target=target.name, unit=r.key, value=round(r.value, 4), count=r.count)
        return TargetsWatched(opened=opened, recovered=recovered)
