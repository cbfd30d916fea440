"""The follow-up of interviews (约谈) and discipline referrals (纪委监委介入): read by leadership,
auditors and the unit concerned; moved by city leadership through the action's own workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Path, Query
from pydantic import BaseModel, Field
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.assessments import Accountable, Leader, _month
from api.context import AppContext, Context, Principal, answers, field_errors, own_unit
from api.schemas.common import In, Instant, Text
from domain.case import ActionRefused
from domain.follow_up import FollowUp, HoldInput, RectifyInput, follow_up_workflow_id
from persistence import follow_ups

router = APIRouter(prefix="/v1/accountability/follow-ups", tags=["assessment"])
log = structlog.get_logger(__name__)
Key = Annotated[
    str,
    Path(
        max_length=96,
        pattern=r"^\d{4}-\d{2}:[a-z0-9_]+:(interview|discipline_referral)$",
        description="the action's key, YYYY-MM:unit:step (step interview or discipline_referral)",
    ),
]


class FollowUpsOut(BaseModel):
    month: str
    follow_ups: list[FollowUp] = Field(description="the month's interviews and referrals, by key")


class HoldIn(In):
    held_by: Text = Field(max_length=200, description="the leader who held it, name and post")
    held_at: Instant = Field(description="when it was held; not in the future")
    notes: Text = Field(max_length=4000)
    promises: list[Text] = Field(min_length=1, max_length=50, description="what the unit promised to rectify")


class RectifyIn(In):
    notes: Text = Field(max_length=4000, description="what was rectified, and the evidence")


async def _row(context: AppContext, principal: Principal, key: str) -> FollowUp:
    async with context.db.session() as session:
        row = await follow_ups.follow_up(session, key)
    if row is None:
        raise HTTPException(404, f"no follow-up {key}: no such interview or referral, or not started yet")
    own_unit(principal, row.unit_code)
    return FollowUp.model_validate(row.state)


async def _move(context: AppContext, state: FollowUp, update: str, inp: HoldInput | RectifyInput) -> FollowUp:
    """The transition through the action's workflow (update ``hold`` or ``rectify`` of
    ``AccountabilityFollowUpWorkflow``): its validator's refusal is the answer."""
    handle = context.client.get_workflow_handle(follow_up_workflow_id(state.month, state.unit, state.step))
    try:
        after: FollowUp = await handle.execute_update(update, inp, result_type=FollowUp)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in ("forbidden", "conflict"):
            raise ActionRefused("forbidden" if cause.type == "forbidden" else "conflict", cause.message) from None
        raise
    except RPCError as exc:
        # Its workflow has ended (rectified, or withdrawn by a re-run): nothing is left to move.
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise ActionRefused("conflict", f"the follow-up {state.key} is closed ({state.status.value})") from None
        raise
    log.info("follow-up moved", month=state.month, unit=state.unit, step=state.step.value, status=after.status.value)
    return after


@router.get("", response_model=FollowUpsOut, responses=answers(404))
async def list_follow_ups(
    principal: Accountable,
    context: Context,
    month: Annotated[str | None, Query(description="YYYY-MM; default: last month in the city's zone")] = None,
) -> FollowUpsOut:
    """The month's interviews and referrals and where each stands. A unit key sees its own."""
    month = _month(context, month, "month")
    async with context.db.session() as session:
        rows = await follow_ups.follow_ups(session, month, own_unit(principal, None))
    return FollowUpsOut(month=month, follow_ups=[FollowUp.model_validate(r.state) for r in rows])


@router.get("/{key}", response_model=FollowUp, responses=answers(404))
async def follow_up(key: Key, principal: Accountable, context: Context) -> FollowUp:
    """One interview's or referral's record: its state, who held it, the due date, reminders sent."""
    return await _row(context, principal, key)


@router.post("/{key}:hold", response_model=FollowUp, responses=answers(404, 409, 503))
async def hold(key: Key, body: HoldIn, principal: Leader, context: Context) -> FollowUp:
    """Record that the interview (or the referral's talk) was held; the rectification is then due
    ``rectify_within_working_days`` working days after that day."""
    if body.held_at > datetime.now(UTC):
        raise field_errors({"held_at": "held_at is in the future"})
    state = await _row(context, principal, key)
    if body.held_at < state.opened_at:
        raise field_errors({"held_at": f"held_at is before the action was decided ({state.opened_at.isoformat()})"})
    inp = HoldInput(actor=principal.actor, **body.model_dump())
    return await _move(context, state, "hold", inp)


@router.post("/{key}:rectify", response_model=FollowUp, responses=answers(404, 409, 503))
async def rectify(key: Key, body: RectifyIn, principal: Leader, context: Context) -> FollowUp:
    """Record the unit's rectification (late, when the action is overdue)."""
    state = await _row(context, principal, key)
    return await _move(context, state, "rectify", RectifyInput(actor=principal.actor, notes=body.notes))
