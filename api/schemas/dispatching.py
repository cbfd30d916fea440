"""The dispatchers' queue, their corrections of merging, and intake against cases."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.cases import CaseOut
from api.schemas.common import In, Text
from domain.case import CaseStatus
from persistence.models import (
    CaseRow,
    RequestRow,
)


class SplitIn(In):
    request_id: Text
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class SplitOut(BaseModel):
    new_case_id: str = Field(description="the case the request now opens")
    case: CaseOut = Field(description="the case it was split out of")


class MergeIn(In):
    into: Text = Field(description="the case this one is merged into")
    reason: Annotated[Text, StringConstraints(max_length=2000)]


class ProposalOut(BaseModel):
    """One of the classifier's best matter types for the case."""

    matter_type: str
    unit: str | None = Field(description="its unit at the case's location (null: a town's matter, no town known)")
    score: float = Field(description="the model's calibrated probability of this matter type")
    words: list[str] = Field(description="the words of the request that weighed most for it")


class Suggestion(BaseModel):
    """What the classifier proposed, or for a returned case who returned it and why."""

    kind: Literal["classified", "returned"]
    domain: str | None = None
    matter_type: str | None = None
    tier: str | None = None
    unit: str | None = None
    confidence: float | None = None
    reason: str | None = None
    model: str | None = Field(default=None, description="the version of the classifier model that decided")
    proposals: list[ProposalOut] = Field(
        default=[], description="the classifier's three best matter types, best first (empty for a returned case)"
    )


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
    citizen_due_at: datetime | None = Field(description="the citizen's deadline, from receipt")
    dispatch_by: datetime | None = Field(description="the centre's limit to dispatch this case")
    seconds_left: int | None = Field(
        description="until the nearer of the two, at the time of the answer; negative once passed"
    )

    @classmethod
    def of(cls, case: CaseRow, request: RequestRow, latest: dict[str, str], now: datetime) -> QueuedCase:
        suggestion = None
        if latest:
            fields: dict[str, object] = {k: v or None for k, v in latest.items() if k in Suggestion.model_fields}
            # A later return replaces the classifier's proposals: they are the classified event's.
            proposals = latest.get("proposals") if latest.get("kind") == "classified" else None
            fields["proposals"] = json.loads(proposals) if proposals else []
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
            citizen_due_at=case.citizen_due_at,
            dispatch_by=case.dispatch_by,
            seconds_left=int((min(due) - now).total_seconds()) if (due := _clocks(case)) else None,
        )


def _clocks(case: CaseRow) -> list[datetime]:
    return [at for at in (case.citizen_due_at, case.dispatch_by) if at is not None]


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
    anonymous: int = Field(
        default=0, description="of the requests, anonymous ones (no name, no phone): never called back, nor unreachable"
    )


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
