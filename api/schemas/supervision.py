"""Supervision slips and handling figures."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from persistence.models import (
    SlipRow,
)


class SlipOut(BaseModel):
    case_id: str
    unit: str
    round: int
    kind: str
    trigger: str
    reason: str
    due_at: datetime | None
    issued_at: datetime

    @classmethod
    def of(cls, row: SlipRow) -> SlipOut:
        return cls(**row.model_dump(exclude={"id", "unit_code"}), unit=row.unit_code)


class SlipPage(BaseModel):
    counts: dict[str, int] = Field(description="slips by kind, over the whole filter")
    limit: int
    offset: int
    items: list[SlipOut]


class HandlingFiguresOut(BaseModel):
    unit: str | None = Field(description="None for the whole city")
    replied: int = Field(description="cases replied in the period")
    on_time: int = Field(description="of them, replied by the unit's deadline in force (after approved extensions)")
    on_time_rate: float | None
    citizen_on_time: int = Field(
        description="of them, replied by the citizen's deadline (the tier's limit from receipt): the city's figure"
    )
    returns_asked: int = Field(default=0, description="returns (退办) the unit asked for in the period")
    returns_approved: int = Field(
        default=0,
        description="returns that took effect in the period (approved by a dispatcher); the return rate counts these",
    )
    citizen_on_time_rate: float | None = Field(
        description="citizen_on_time ÷ the replied cases that ran on the citizen's clock (not those started before it)"
    )
    average_working_days: float | None = Field(description="from receipt to reply, in working days")
    open_overdue: int = Field(description="open cases past their deadline now")


class HandlingStats(BaseModel):
    since: datetime
    until: datetime
    city: HandlingFiguresOut
    units: list[HandlingFiguresOut]
