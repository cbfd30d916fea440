"""Targets a city watches (``config/targets.yaml``): a rate that must stay at or above (or, for the
return rate, at or below) a line over a rolling window, for each unit and for the city.

The report's two: on-time closure ≥ 95% and first-contact resolution ≥ 95% (按期办结率、初信初访
化解率均达到95%以上). Each day, after the ranking, every target is evaluated over the window ending
that day. A unit or the city that falls on the wrong side of the line, with at least ``min_count``
cases in the denominator, opens a breach: one alert to the recipients, a line in the leaders'
figures. The breach stays open, with no further alert, until the rate is back on the right side
(with enough cases to tell); too few cases to tell changes nothing either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.indicators import IndicatorPolicy, Scope, UnitCounts, indicators_of
from domain.reference import Code, UnitKind, parse_yaml


class Rate(StrEnum):
    satisfaction = "satisfaction"
    closure = "closure"
    return_ = "return"
    on_time = "on_time"
    response = "response"
    resolution = "resolution"
    citizen_on_time = "citizen_on_time"
    first_contact = "first_contact"


DENOMINATOR: Mapping[Rate, Callable[[UnitCounts], int]] = {
    Rate.satisfaction: lambda c: c.satisfied + c.basically_satisfied + c.dissatisfied,
    Rate.closure: lambda c: c.due,
    Rate.return_: lambda c: c.accepted + c.returned,
    Rate.on_time: lambda c: c.replied,
    Rate.response: lambda c: c.accepted_in_time + c.acceptance_slips,
    Rate.resolution: lambda c: c.solved + c.partly_solved + c.not_solved,
    Rate.citizen_on_time: lambda c: c.citizen_clocked,
    Rate.first_contact: lambda c: c.closed,
}
"""How many cases (or answers) each rate is a share of."""


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Code
    rate: Rate
    at_least: float | None = Field(default=None, ge=0, le=1)
    at_most: float | None = Field(default=None, ge=0, le=1)
    window_days: int = Field(default=30, ge=1, le=366)
    scopes: tuple[Scope, ...] = (Scope.unit, Scope.city)
    min_count: int = Field(default=20, ge=1)
    """Fewer cases than this in the window: too few to tell, nothing opens or closes."""

    @model_validator(mode="after")
    def _one_line(self) -> Target:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least and at_most")
        if not self.scopes or any(s not in (Scope.unit, Scope.city) for s in self.scopes):
            raise ValueError("scopes: unit, city or both")
        return self

    def breached(self, value: float) -> bool:
        return value < self.at_least if self.at_least is not None else value > (self.at_most or 0)

    @property
    def line(self) -> str:
        return f"≥ {self.at_least:.0%}" if self.at_least is not None else f"≤ {self.at_most:.0%}"


class TargetPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    targets: tuple[Target, ...] = (
        Target(name="on_time_closure", rate=Rate.citizen_on_time, at_least=0.95),
        Target(name="first_contact_resolution", rate=Rate.first_contact, at_least=0.95),
    )

    @model_validator(mode="after")
    def _names_once(self) -> TargetPolicy:
        names = [t.name for t in self.targets]
        if twice := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"target names must be unique: {', '.join(twice)} twice")
        return self


DEFAULT_TARGETS = TargetPolicy()


def load_target_policy(path: Path) -> TargetPolicy:
    return parse_yaml(TargetPolicy, path)


@dataclass(frozen=True)
class Reading:
    """A target's rate for one unit (or the city) over the window ending on the day."""

    target: str
    key: str
    value: float
    count: int
    breached: bool


def readings(
    target: Target, counts: Mapping[str, UnitCounts], kinds: Mapping[str, UnitKind], policy: IndicatorPolicy
) -> list[Reading]:
    """The target's readings with enough cases to tell, for the keys of ``counts`` (units, or the
    city under ``CITY``)."""
    out = []
    for key, c in sorted(counts.items()):
        count = DENOMINATOR[target.rate](c)
        if count < target.min_count:
            continue
        figures = indicators_of(c, kinds.get(key, UnitKind.town), policy)
        value = getattr(figures, f"{target.rate.value}_rate")
        assert value is not None  # a denominator of min_count ≥ 1 defines it
        out.append(Reading(target.name, key, value, count, target.breached(value)))
    return out


@dataclass(frozen=True)
class Changes:
    opened: list[Reading]
    recovered: list[Reading]
    still_open: list[Reading]


def changes(found: list[Reading], open_keys: set[str]) -> Changes:
    """Which breaches open (alerted once), recover, or stay open, given the keys already open."""
    return Changes(
        opened=[r for r in found if r.breached and r.key not in open_keys],
        recovered=[r for r in found if not r.breached and r.key in open_keys],
        still_open=[r for r in found if r.breached and r.key in open_keys],
    )
