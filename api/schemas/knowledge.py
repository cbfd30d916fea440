"""The policy knowledge base's entries, as written and as read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.schemas.common import Day, In, Text
from persistence.models import KnowledgeEntryRow, KnowledgeVersionRow


class EntryIn(In):
    title: Annotated[Text, StringConstraints(max_length=200)]
    text: Annotated[Text, StringConstraints(max_length=20000)] = Field(description="the answer an operator gives")
    source: Annotated[Text, StringConstraints(max_length=500)] = Field(
        description="the policy document it comes from: its title, number and issuing department"
    )
    valid_from: Day
    valid_until: Day | None = Field(default=None, description="the last day it may be given; open-ended if unset")
    matter_types: list[Annotated[Text, StringConstraints(max_length=48)]] = Field(
        default=[], max_length=50, description="the catalogue's matter types it answers; none: any"
    )

    @model_validator(mode="after")
    def _in_order(self) -> EntryIn:
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError(f"valid_until {self.valid_until} is before valid_from {self.valid_from}")
        return self


class EntryOut(BaseModel):
    id: int
    version: int
    title: str
    text: str
    source: str
    valid_from: date
    valid_until: date | None
    matter_types: list[str]
    retired_at: datetime | None
    updated_at: datetime
    score: float | None = Field(default=None, description="with q: how much of its wording the query shares, 0–1")

    @classmethod
    def of(cls, row: KnowledgeEntryRow, score: float | None = None) -> EntryOut:
        return cls.model_validate(row, from_attributes=True).model_copy(update={"score": score})


class EntryPage(BaseModel):
    items: list[EntryOut]


class EntryVersionOut(BaseModel):
    version: int
    change: str = Field(description="created, edited or retired")
    title: str
    text: str
    source: str
    valid_from: date
    valid_until: date | None
    matter_types: list[str]
    actor_key_id: str | None
    at: datetime

    @classmethod
    def of(cls, row: KnowledgeVersionRow) -> EntryVersionOut:
        return cls.model_validate(row, from_attributes=True)
