"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.case import CallbackAnswer, CaseStatus
from domain.indicators import Period, UnitCounts, Weights
from domain.reference import Tier
from domain.request import Citizen, Location
from persistence.cases import CaseFile
from persistence.models import (
    CallbackRow,
    CaseEventRow,
    CaseRow,
    RequestRow,
    SlipRow,
    SummonsRow,
    UnitIndicatorRow,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntakeOut(BaseModel):
    request_id: str
    case_id: str
    status: Literal["created", "merged", "existing"] = Field(
        description="created: a new case; merged: joined the open case of the same matter (一事多投); "
        "existing: this channel_ref was taken in before, nothing new"
    )


BATCH_LIMIT = 500


class BatchIn(_In):
    """An offline channel's upload (grid workers, door-to-door visits, inspectors). Each item is
    checked on its own, so one bad item does not turn the others away."""

    requests: list[Any] = Field(min_length=1, max_length=BATCH_LIMIT, description="items as for POST /v1/requests")


class ItemError(BaseModel):
    field: str = Field(description="where in the item, e.g. citizen.phone")
    msg: str


class BatchItemOut(BaseModel):
    index: int = Field(description="the item's position in the upload, from 0")
    channel_ref: str | None = None
    status: Literal["created", "merged", "existing", "refused", "failed"] = Field(
        description="created, merged, existing (a duplicate of an earlier upload: nothing new), as for "
        "one request; refused: the item is wrong, see errors, and nothing was taken in; failed: the "
        "case engine or the database did not answer, send the item again (intake is idempotent)"
    )
    request_id: str | None = None
    case_id: str | None = None
    errors: list[ItemError] = []


class BatchOut(BaseModel):
    counts: dict[str, int] = Field(description="items per status")
    items: list[BatchItemOut]


class DispatchIn(_In):
    unit: Text
    matter_type: Text
    tier: Tier | None = Field(default=None, description="default: the matter type's tier")
    note: str = ""


class AcceptIn(_In):
    note: str = ""


class ReturnIn(_In):
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ReplyIn(_In):
    result: Annotated[Text, StringConstraints(max_length=2000)]


class CallbackIn(_In):
    answer: CallbackAnswer
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class RequestOut(BaseModel):
    id: str
    channel: str
    channel_ref: str
    citizen: Citizen
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
            citizen=Citizen(name=row.citizen_name, phone=row.citizen_phone),
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
    deadline_at: datetime | None
    deadline_provisional: bool = Field(description="counted days of a year with no calendar file yet")
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


class TierIn(_In):
    tier: Tier
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ExtensionIn(_In):
    until: AwareDatetime = Field(description="the new handling deadline the unit asks for")
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ExtensionDecisionIn(_In):
    approve: bool
    note: str = ""


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
    on_time: int = Field(description="of them, replied by the deadline in force (after approved extensions)")
    on_time_rate: float | None
    average_working_days: float | None = Field(description="from receipt to reply, in working days")
    open_overdue: int = Field(description="open cases past their deadline now")


class HandlingStats(BaseModel):
    since: datetime
    until: datetime
    city: HandlingFiguresOut
    units: list[HandlingFiguresOut]


class SummonsIn(_In):
    unit: Text
    task: Annotated[Text, StringConstraints(max_length=2000)]
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class WhistleIn(_In):
    summonses: list[SummonsIn] = Field(min_length=1, max_length=20)


class RespondIn(_In):
    summons_id: Text
    report: str = Field(default="", max_length=4000, description="what the unit did; or give decline_reason")
    decline_reason: str = Field(default="", max_length=2000)


class RuleDeclineIn(_In):
    summons_id: Text
    uphold: bool = Field(description="true: the unit is released; false: it must respond after all")
    note: str = ""


class RateIn(_In):
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


class CallbackTaskOut(CallbackOut):
    """A callback task in the agents' queue, with whom to call."""

    case_id: str
    unit: str | None
    citizen: Citizen

    @classmethod
    def of_row(cls, row: CallbackRow, request: RequestRow) -> CallbackTaskOut:
        return cls(
            **CallbackOut.of(row).model_dump(),
            case_id=row.case_id,
            unit=row.unit_code,
            citizen=Citizen(name=request.citizen_name, phone=request.citizen_phone),
        )


class CallbackPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CallbackTaskOut]


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


class SplitIn(_In):
    request_id: Text
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class SplitOut(BaseModel):
    new_case_id: str = Field(description="the case the request now opens")
    case: CaseOut = Field(description="the case it was split out of")


class MergeIn(_In):
    into: Text = Field(description="the case this one is merged into")
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class Suggestion(BaseModel):
    """What the classifier proposed, or for a returned case who returned it and why."""

    kind: Literal["classified", "returned"]
    domain: str | None = None
    matter_type: str | None = None
    tier: str | None = None
    unit: str | None = None
    confidence: float | None = None
    reason: str | None = None


class QueuedCase(BaseModel):
    case_id: str
    status: CaseStatus
    channel: str
    received_at: datetime
    waiting_since: datetime
    content: str
    address: str
    town: str | None
    suggestion: Suggestion | None

    @classmethod
    def of(cls, case: CaseRow, request: RequestRow, latest: dict[str, str]) -> QueuedCase:
        suggestion = None
        if latest:
            fields = {k: v or None for k, v in latest.items() if k in Suggestion.model_fields}
            suggestion = Suggestion.model_validate(fields)
        return cls(
            case_id=case.id,
            status=CaseStatus(case.status),
            channel=case.channel,
            received_at=case.received_at,
            waiting_since=case.updated_at,
            content=request.content,
            address=request.address,
            town=request.town_code,
            suggestion=suggestion,
        )


class DispatchQueuePage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[QueuedCase]


class ChannelIntake(BaseModel):
    channel: str
    requests: int = Field(description="requests received in the period")
    cases: int = Field(description="cases they opened: requests not merged into another case")
    merged: int = Field(description="requests - cases: repeat submissions merged (一事多投)")
    reduction: float | None = Field(description="merged / requests; null without requests")


class IntakePeriod(BaseModel):
    period: str = Field(description="the day (2026-11-24) or month (2026-11), in the city's zone")
    start: datetime
    end: datetime
    total: ChannelIntake = Field(description="all channels together (channel '*')")
    channels: list[ChannelIntake]


class IntakeStats(BaseModel):
    by: Literal["day", "month"]
    periods: list[IntakePeriod]


class CorrectionRequestOut(BaseModel):
    """A request as the matcher sees it: its text, place and time."""

    request_id: str
    content: str
    address: str
    grid: str | None
    lat: float | None
    lon: float | None
    received_at: datetime


class CorrectionOut(CorrectionRequestOut):
    """A dispatcher's correction of merging, a training pair for the matcher: the request, and the
    ``counterpart`` it must not be merged with (``split``) or should have been (``merge``)."""

    kind: Literal["split", "merge"]
    from_case_id: str
    to_case_id: str
    merged_similarity: float | None
    merged_place: str | None
    reason: str
    at: datetime
    counterpart: CorrectionRequestOut | None


class CorrectionPage(BaseModel):
    items: list[CorrectionOut]
