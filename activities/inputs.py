"""Inputs of the case workflow's activities."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.case import CaseState, MergeInput, SplitInput, TimelineEvent
from domain.reference import Tier


class CaseEvents(BaseModel):
    """The persistence activity's input: new timeline events and the state after them."""

    state: CaseState
    events: list[TimelineEvent]


class DeadlineInput(BaseModel):
    """The deadline activity's input: the tier, the dispatch instant, an approved new date."""

    tier: Tier
    start: datetime
    due_at: datetime | None = None


class ResponseDeadlineInput(BaseModel):
    tier: Tier
    start: datetime


class CallbackTasks(BaseModel):
    """The callback activity's input: one callback task per request of the case."""

    case_id: str
    unit: str | None
    request_ids: list[str]
    round: int = 1


class VisitInput(BaseModel):
    """One attempt of one citizen's callback visit, for the gateway."""

    case_id: str
    request_id: str
    unit: str | None
    round: int
    attempt: int
    due_at: datetime


class PlanInput(BaseModel):
    replied_at: datetime


class SplitRequestInput(BaseModel):
    """The split's activity: the request's own case, in the database and as a workflow."""

    case_id: str
    split: SplitInput


class MergeCaseInput(BaseModel):
    """The manual merge's activity: a request of the case joins the other case's workflow, then
    moves to it in the database."""

    case_id: str
    merge: MergeInput
    request_id: str
