"""A case as the API shows it, and the bodies of the case actions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.common import AttachmentIds, In, Instant, Text
from api.schemas.whistles import SummonsOut
from domain.case import CallbackAnswer, CaseStatus, Resolution
from domain.reference import RequestKind, Tier
from domain.request import Location, masked_phone
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
    attachments: AttachmentIds = Field(default_factory=list)


class AnswerIn(In):
    answer: Annotated[Text, StringConstraints(max_length=4000)]
    knowledge_entry: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the knowledge-base entry the answer gave"
    )


class CitizenOut(BaseModel):
    name: str
    phone: str = Field(description="masked (138****0000) for a role that need not call the citizen")

    @classmethod
    def of(cls, row: RequestRow, mask_phone: bool = False) -> CitizenOut:
        return cls(name=row.citizen_name, phone=masked_phone(row.citizen_phone) if mask_phone else row.citizen_phone)


class RequestOut(BaseModel):
    id: str
    channel: str
    channel_ref: str
    citizen: CitizenOut | None = Field(description="null: an anonymous request")
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
    kind: RequestKind | None = Field(description="null on requests from before kinds")
    kind_source: str | None = Field(description="given (by the operator), channel (its default) or words")
    first_answer: str | None = Field(description="the operator's answer on the call, if the centre settled it")
    media_url: str | None = Field(description="the channel's link to the citizen's picture (never fetched)")

    @classmethod
    def of(cls, row: RequestRow, mask_phone: bool) -> RequestOut:
        return cls(
            id=row.id,
            channel=row.channel,
            channel_ref=row.channel_ref,
            citizen=CitizenOut.of(row, mask_phone) if row.citizen_phone else None,
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
            kind=RequestKind(row.kind) if row.kind else None,
            kind_source=row.kind_source,
            first_answer=row.first_answer,
            media_url=row.media_url,
        )


class EventOut(BaseModel):
    seq: int
    at: datetime
    kind: str
    status: CaseStatus
    actor_role: str
    actor_unit: str | None
    actor_key_id: str | None
    actor_person: str | None = Field(description="the console user (login) who acted; null for a service or the system")
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
    resolution: Resolution | None = Field(description="was it solved: the callback's second question")
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
    kind: RequestKind | None = Field(description="the first request's kind; null on cases from before kinds")
    tier: Tier | None
    unit: str | None
    town: str | None = Field(description="the town of the first request")
    domain: str | None
    matter_type: str | None
    confidence: float | None
    classifier_model: str | None = Field(
        description="the version of the classifier model that classified the case; null: none did (the keywords alone)"
    )
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
    first_contact: bool = Field(description="answered by the centre at first contact (一次性答复)")
    knowledge_entry: int | None = Field(description="the knowledge-base entry the centre's answer gave")
    resolved_first_time: bool | None = Field(
        description="closed in its first round, never reopened, nobody dissatisfied or 'not solved'; null while open"
    )

    @classmethod
    def of(cls, row: CaseRow) -> CaseSummary:
        return cls(
            id=row.id,
            status=CaseStatus(row.status),
            channel=row.channel,
            kind=RequestKind(row.kind) if row.kind else None,
            tier=Tier(row.tier) if row.tier else None,
            unit=row.unit_code,
            town=row.town_code,
            domain=row.domain_code,
            matter_type=row.matter_type_code,
            confidence=row.confidence,
            classifier_model=row.classifier_model,
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
            first_contact=row.first_contact,
            knowledge_entry=row.knowledge_entry_id,
            resolved_first_time=row.resolved_first_time,
        )


class CaseOut(CaseSummary):
    workflow_id: str
    requests: list[RequestOut]
    timeline: list[EventOut]
    callbacks: list[CallbackOut]
    summonses: list[SummonsOut]

    @classmethod
    def of_file(cls, file: CaseFile, mask_phone: bool) -> CaseOut:
        return cls(
            **CaseSummary.of(file.case).model_dump(),
            workflow_id=f"case-{file.case.id}",
            requests=[RequestOut.of(r, mask_phone) for r in file.requests],
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
