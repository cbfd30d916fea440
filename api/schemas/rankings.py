"""The three indicators, the daily ranking and a unit's trend."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.indicators import Period, UnitCounts, Weights
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
    computed_at: datetime
    items: list[UnitIndicatorsOut]


class UnitTrendOut(BaseModel):
    unit: str
    period: Period
    items: list[UnitIndicatorsOut]
