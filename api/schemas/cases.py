"""A case as the API shows it, and the bodies of the case actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import In, Instant, Text
from api.schemas.whistles import SummonsOut
from domain.case import CallbackAnswer, CaseStatus
from domain.reference import Tier
from domain.request import Citizen, Location
from persistence.cases import CaseFile
from persistence.models import (
    CallbackRow,
    CaseEventRow,
    CaseRow,
    RequestRow,
)


class DispatchIn(In):
    unit: Text
    matter_type: Text
    tier: Tier | None = Field(default=None, description="default: the matter type's tier")
    note: str = ""


class AcceptIn(In):
    note: str = ""


class ReturnIn(In):
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ReplyIn(In):
    result: Annotated[Text, StringConstraints(max_length=2000)]


class RequestOut(BaseModel):
    id: str
    channel: str
    channel_ref: str
    citizen: Citizen | None = Field(description="null: an anonymous request")
    content: str
    address: str
    location: Location | None
    grid: str | None
    category_hint: str | None
    reported_at: datetime | None
    received_at: datetime
    town: str | None = Field(description="the town its grid or address names")
    merged_place: str | None = Field(
        description="set when intake merged it into this case (一事多投): how the place matched, e.g. '52 m', 'grid'"
    )
    merged_similarity: float | None = Field(description="... and how alike the texts were, 0–1")

    @classmethod
    def of(cls, row: RequestRow) -> RequestOut:
        return cls(
            id=row.id,
            channel=row.channel,
            channel_ref=row.channel_ref,
            citizen=Citizen(name=row.citizen_name, phone=row.citizen_phone) if row.citizen_phone else None,
            content=row.content,
            address=row.address,
            location=Location(lat=row.lat, lon=row.lon) if row.lat is not None and row.lon is not None else None,
            grid=row.grid,
            category_hint=row.category_hint,
            reported_at=row.reported_at,
            received_at=row.received_at,
            town=row.town_code,
            merged_place=row.merged_place,
            merged_similarity=row.merged_similarity,
        )


class EventOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    status: CaseStatus
    actor_role: str
    actor_unit: str | None
    actor_key_id: str | None
    detail: dict[str, str]

    @classmethod
    def of(cls, row: CaseEventRow) -> EventOut:
        return cls.model_validate(row, from_attributes=True)


class CallbackOut(BaseModel):
    """One attempt of a callback visit to one citizen."""

    id: int
    request_id: str
    round: int
    attempt: int
    gateway: str
    status: str
    answer: CallbackAnswer | None
    final: bool | None = Field(description="this answer settled the citizen's answer for the round")
    note: str | None
    due_at: datetime | None
    created_at: datetime
    answered_at: datetime | None

    @classmethod
    def of(cls, row: CallbackRow) -> CallbackOut:
        return cls.model_validate(row, from_attributes=True)


class CaseSummary(BaseModel):
    id: str
    status: CaseStatus
    channel: str
    tier: Tier | None
    unit: str | None
    domain: str | None
    matter_type: str | None
    confidence: float | None
    received_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    deadline_at: datetime | None = Field(description="the unit's deadline, from its dispatch")
    deadline_provisional: bool = Field(description="counted days of a year with no calendar file yet")
    citizen_due_at: datetime | None = Field(
        description="the citizen's deadline: the tier's limit from receipt, for the whole case"
    )
    citizen_on_time: bool | None = Field(description="replied by the citizen's deadline; null until replied")
    overdue: bool
    reopened: int = Field(description="times a dissatisfied citizen had the case reopened (重办)")
    outcome: CallbackAnswer | None = Field(description="a closed case's least satisfied citizen's answer")

    @classmethod
    def of(cls, row: CaseRow) -> CaseSummary:
        return cls(
            id=row.id,
            status=CaseStatus(row.status),
            channel=row.channel,
            tier=Tier(row.tier) if row.tier else None,
            unit=row.unit_code,
            domain=row.domain_code,
            matter_type=row.matter_type_code,
            confidence=row.confidence,
            received_at=row.received_at,
            updated_at=row.updated_at,
            closed_at=row.closed_at,
            deadline_at=row.deadline_at,
            deadline_provisional=row.deadline_provisional,
            citizen_due_at=row.citizen_due_at,
            citizen_on_time=row.citizen_on_time,
            overdue=row.overdue,
            reopened=row.reopened,
            outcome=CallbackAnswer(row.outcome) if row.outcome else None,
        )


class CaseOut(CaseSummary):
    workflow_id: str
    requests: list[RequestOut]
    timeline: list[EventOut]
    callbacks: list[CallbackOut]
    summonses: list[SummonsOut]

    @classmethod
    def of_file(cls, file: CaseFile) -> CaseOut:
        return cls(
            **CaseSummary.of(file.case).model_dump(),
            workflow_id=f"case-{file.case.id}",
            requests=[RequestOut.of(r) for r in file.requests],
            timeline=[EventOut.of(e) for e in file.events],
            callbacks=[CallbackOut.of(c) for c in file.callbacks],
            summonses=[SummonsOut.of(x) for x in file.summonses],
        )


class CasePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CaseSummary]


class TierIn(In):
    tier: Tier
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ExtensionIn(In):
    until: Instant = Field(description="the new handling deadline the unit asks for")
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ExtensionDecisionIn(In):
    approve: bool
    note: str = ""


class ReturnDecisionIn(In):
    approve: bool = Field(description="true: the case goes back to the dispatch queue; false: it stays with the unit")
    note: str = ""
