"""Colour-tier deadlines: the tier policy a city edits, and the deadlines of one dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.calendar import WorkingCalendar
from domain.reference import Tier, parse_yaml


class Limit(BaseModel):
    """Either calendar hours or working days, not both."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    hours: float | None = Field(default=None, gt=0)
    working_days: int | None = Field(default=None, ge=1, le=60)

    @model_validator(mode="after")
    def _one_kind(self) -> Limit:
        if (self.hours is None) == (self.working_days is None):
            raise ValueError("give either hours or working_days")
        return self

    def after(self, start: datetime, calendar: WorkingCalendar, zone: ZoneInfo) -> tuple[datetime, bool]:
        """When the limit runs out, and whether it counted days of a year the calendar lacks."""
        if self.hours is not None:
            return start + timedelta(hours=self.hours), False
        assert self.working_days is not None
        return calendar.working_days_after(start, self.working_days, zone)


class TierRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    handling: Limit
    acceptance: Limit
    reminder_at: float = Field(gt=0, lt=1)
    warning_grace: Limit
    response: Limit
    """How long a unit summoned by a whistle has to respond (报到)."""
    dispatch: Limit | None = None
    """The centre's own limit to dispatch (派单), from receipt or from a unit's return; late → a
    slip to the centre's supervisors. None: the centre has no limit for the tier."""


class TierPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    tiers: dict[Tier, TierRule]
    unclassified: Tier = Tier.yellow
    """The tier a case's clocks run on while it has none: not dispatched, nothing proposed."""

    @model_validator(mode="after")
    def _every_tier(self) -> TierPolicy:
        missing = [t.value for t in Tier if t not in self.tiers]
        if missing:
            raise ValueError(f"no rule for tier {', '.join(missing)}")
        return self


def load_policy(path: Path) -> TierPolicy:
    return parse_yaml(TierPolicy, path)


@dataclass(frozen=True)
class Timing:
    """What deadlines are computed from; data a city edits, so read only in activities."""

    policy: TierPolicy
    calendar: WorkingCalendar
    zone: ZoneInfo


class Deadlines(BaseModel):
    """One dispatch's deadlines (UTC). ``provisional``: counted days of a year with no calendar file."""

    accept_by: datetime
    remind_at: datetime
    due_at: datetime
    warn_at: datetime
    provisional: bool = False


def deadlines_for(
    tier: Tier,
    start: datetime,
    policy: TierPolicy,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
    due_at: datetime | None = None,
) -> Deadlines:
    """The deadlines of a dispatch at ``start``; ``due_at`` overrides the handling deadline (an
    approved extension); the reminder point is the share of the time from start to deadline."""
    rule = policy.tiers[tier]
    computed_due, due_provisional = rule.handling.after(start, calendar, zone)
    due = due_at or computed_due
    accept_by, accept_provisional = rule.acceptance.after(start, calendar, zone)
    warn_at, warn_provisional = rule.warning_grace.after(due, calendar, zone)
    return Deadlines(
        accept_by=min(accept_by, due),
        remind_at=start + (due - start) * rule.reminder_at,
        due_at=due,
        warn_at=warn_at,
        provisional=(due_provisional and due_at is None) or accept_provisional or warn_provisional,
    )


class CitizenClock(BaseModel):
    """The citizen's clock: the tier's handling limit for the whole case, counted from receipt
    whatever happens in between; and the centre's limit to dispatch it, from when it entered the
    dispatch queue. ``asked``: the tier the case had or was proposed when computed (None: none)."""

    asked: Tier | None
    tier: Tier
    queued_at: datetime
    due_at: datetime
    dispatch_by: datetime | None
    provisional: bool = False


def citizen_clock_for(
    asked: Tier | None,
    received_at: datetime,
    queued_at: datetime,
    policy: TierPolicy,
    calendar: WorkingCalendar,
    zone: ZoneInfo,
) -> CitizenClock:
    tier = asked or policy.unclassified
    rule = policy.tiers[tier]
    due_at, provisional = rule.handling.after(received_at, calendar, zone)
    dispatch_by = None
    if rule.dispatch is not None:
        dispatch_by, dispatch_provisional = rule.dispatch.after(queued_at, calendar, zone)
        provisional = provisional or dispatch_provisional
    return CitizenClock(
        asked=asked, tier=tier, queued_at=queued_at, due_at=due_at, dispatch_by=dispatch_by, provisional=provisional
    )


class HandlingFigures(BaseModel):
    on_time: bool | None
    working_days: int


def handling_figures(
    received_at: datetime, replied_at: datetime, due_at: datetime | None, timing: Timing
) -> HandlingFigures:
    """On time: replied by the deadline in force. Working days are counted from receipt."""
    return HandlingFigures(
        on_time=None if due_at is None else replied_at <= due_at,
        working_days=timing.calendar.working_days_taken(received_at, replied_at, timing.zone),
    )
