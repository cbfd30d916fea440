"""Whistle and respond (吹哨报到): summonses, responses, rulings, ratings and figures."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import AttachmentIds, In, Text
from persistence.models import (
    SummonsRow,
)


class SummonsIn(In):
    unit: Text
    task: Annotated[Text, StringConstraints(max_length=2000)]
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class WhistleIn(In):
    summonses: list[SummonsIn] = Field(min_length=1, max_length=20)


class RespondIn(In):
    summons_id: Text
    report: str = Field(default="", max_length=4000, description="what the unit did; or give decline_reason")
    decline_reason: str = Field(default="", max_length=2000)
    attachments: AttachmentIds = Field(default_factory=list)


class RuleDeclineIn(In):
    summons_id: Text
    uphold: bool = Field(description="true: the unit is released; false: it must respond after all")
    note: str = ""


class RateIn(In):
    summons_id: Text
    speed: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class Sent(BaseModel):
    case_id: str
    status: Literal["sent"] = "sent"
    detail: str


class SummonsOut(BaseModel):
    case_id: str
    summons_id: str
    lead_unit: str
    unit: str
    task: str
    reason: str
    whistled_at: datetime
    respond_by: datetime | None
    status: str
    responded_at: datetime | None
    report: str | None
    decline_reason: str | None
    ruling_note: str | None
    speed: int | None
    quality: int | None
    rating_comment: str | None

    @classmethod
    def of(cls, row: SummonsRow) -> SummonsOut:
        return cls.model_validate(row, from_attributes=True)


class WhistleFiguresOut(BaseModel):
    unit: str
    summoned: int
    responded: int
    on_time_responses: int
    on_time_response_rate: float | None
    average_response_minutes: float | None
    average_speed: float | None
    average_quality: float | None


class WhistlePage(BaseModel):
    since: datetime
    until: datetime
    units: list[WhistleFiguresOut]
    items: list[SummonsOut]
