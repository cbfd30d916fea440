"""Callback visit activities: planning a round of visits, and handing one attempt to the gateway."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.callbacks import CallbackPlan, CallbackPolicy, dialable, plan_visits
from domain.case import CallbackAnswer, VisitAnswer
from domain.deadlines import Timing
from gateways.callbacks import BadNumber, CallbackGateway, Handover, with_heartbeats
from persistence.callbacks import open_visit
from persistence.db import Database

log = structlog.get_logger(__name__)

BAD_NUMBER = "BadNumber"
"""The failure type of a visit whose number cannot be dialled: recorded unreachable, not retried."""


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
    first_contact: bool = False
    """The centre answered the request itself: visited only where the policy says so."""


class CallbackActivities:
    def __init__(
        self, db: Database, timing: Timing, policy: CallbackPolicy, gateway: CallbackGateway, api_url: str
    ) -> None:
        self.db = db
        self.timing = timing
        self.policy = policy
        self.gateway = gateway
        self.api_url = api_url.rstrip("/")

    @activity.defn(name="plan_callbacks")
    async def plan_callbacks(self, inp: PlanInput) -> CallbackPlan:
        # Policy and calendar are read here, and the plan recorded in history (see CallbackPlan).
        t = self.timing
        return plan_visits(inp.replied_at, self.policy, t.calendar, t.zone, inp.first_contact)

    @activity.defn(name="visit_citizen")
    async def visit_citizen(self, inp: VisitInput) -> VisitAnswer | CallbackAnswer | None:
        """Open the attempt's callback task (once, however often retried) and hand it over. The
        bare ``CallbackAnswer`` in the type is how histories from before the second question
        recorded an answer at once: they decode as they were."""
        now = datetime.now(UTC)
        task = await self.db.write(
            lambda s: open_visit(
                s,
                case_id=inp.case_id,
                request_id=inp.request_id,
                unit=inp.unit,
                round_=inp.round,
                attempt=inp.attempt,
                due_at=inp.due_at,
                gateway=self.gateway.name,
                now=now,
            )
        )
        bound = log.bind(case_id=inp.case_id, unit=inp.unit, callback_id=task.callback_id, attempt=inp.attempt)
        number = dialable(task.phone)
        if number is None:
            bound.warning("callback number cannot be dialled", gateway=self.gateway.name)
            raise ApplicationError("the citizen's phone number cannot be dialled", type=BAD_NUMBER, non_retryable=True)
        handover = Handover(
            callback_id=task.callback_id,
            case_id=inp.case_id,
            request_id=inp.request_id,
            unit=inp.unit,
            round=inp.round,
            attempt=inp.attempt,
            citizen_name=task.citizen_name,
            phone=number,
            answer_url=f"{self.api_url}/v1/callbacks/{task.callback_id}",
        )
        try:
            answer = await with_heartbeats(asyncio.create_task(self.gateway.hand_over(handover)), activity.heartbeat)
        except BadNumber as refused:
            bound.warning("callback gateway cannot dial the number", gateway=self.gateway.name)
            raise ApplicationError(str(refused), type=BAD_NUMBER, non_retryable=True) from None
        bound.info("callback visit handed over", gateway=self.gateway.name, answer=answer)
        return answer
