"""The three indicators, the daily ranking and a unit's trend."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.indicators import Period, Scope, UnitCounts, Weights
from persistence.models import (
    UnitIndicatorRow,
)


class UnitIndicatorsOut(BaseModel):
    """A unit's indicators for a day or its month to date; rates are None when nothing counted."""

    day: date
    period: Period
    unit: str
    kind: str
    rank: int | None = Field(description="in the ranking asked for: among all units, or among its kind")
    rank_all: int | None
    rank_in_kind: int | None
    score: float | None
    satisfaction_rate: float | None
    closure_rate: float | None
    return_rate: float | None
    on_time_rate: float | None
    response_rate: float | None
    resolution_rate: float | None
    citizen_on_time_rate: float | None
    first_contact_rate: float | None
    average_handling_days: float | None
    counts: UnitCounts

    @classmethod
    def of(cls, row: UnitIndicatorRow, kind: str | None = None) -> UnitIndicatorsOut:
        return cls(
            **row.model_dump(
                include={
                    "day",
                    "period",
                    "kind",
                    "rank_all",
                    "rank_in_kind",
                    "score",
                    "satisfaction_rate",
                    "closure_rate",
                    "return_rate",
                    "on_time_rate",
                    "response_rate",
                    "resolution_rate",
                    "citizen_on_time_rate",
                    "first_contact_rate",
                    "average_handling_days",
                }
            ),
            unit=row.unit_code,
            rank=row.rank_all if kind is None else row.rank_in_kind,
            counts=UnitCounts.model_validate(row.model_dump() | {"unit": row.unit_code}),
        )


class RankingOut(BaseModel):
    day: date
    period: Period
    kind: str
    weights: Weights
    basically_satisfied_weight: float
    partly_solved_weight: float
    computed_at: datetime
    items: list[UnitIndicatorsOut]


class UnitTrendOut(BaseModel):
    unit: str
    period: Period
    items: list[UnitIndicatorsOut]


class RateRow(BaseModel):
    key: str = Field(description="the unit, town or domain code, or 'city'")
    satisfaction_rate: float | None
    resolution_rate: float | None
    response_rate: float | None
    closure_rate: float | None
    return_rate: float | None
    on_time_rate: float | None
    citizen_on_time_rate: float | None
    first_contact_rate: float | None
    average_handling_days: float | None
    counts: UnitCounts


class RatesOut(BaseModel):
    """The rates a city is judged by, for each unit, town, domain or the city, computed from the
    stored cases and answers when asked (definitions: docs/case.md)."""

    day: date
    period: Period
    scope: Scope
    start: datetime
    end: datetime
    items: list[RateRow]


class BreachOut(BaseModel):
    """A rate below its target over the target's window (config/targets.yaml)."""

    target: str
    unit: str = Field(description="a unit's code, or 'city'")
    rate: str
    line: str
    window_days: int
    opened_on: date
    value: float = Field(description="the rate over the window on the day it fell below")
    count: int
    last_value: float
    last_checked_on: date
    recovered_on: date | None


class KindCount(BaseModel):
    kind: str
    unit: str | None = Field(description="the unit it went to (suggestions and praise); null: all units")
    requests: int


class KindsOut(BaseModel):
    """A month's requests by kind, and the suggestions and praise each unit was sent (reported monthly)."""

    month: str
    by_kind: list[KindCount]
    for_information: list[KindCount]
