"""Whistle and respond (吹哨报到): summonses by signal, rulings and ratings by update, figures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.cases import ACTION_ANSWERS, CaseAction, add_case_actions, load_case, with_files
from api.context import Context, Dispatcher, Principal, Reader, UnitKey, field_errors, own_unit
from api.idempotency import Idempotent, Once
from api.schemas.common import Instant, Offset
from api.schemas.whistles import (
    RateIn,
    RespondIn,
    RuleDeclineIn,
    Sent,
    SummonsOut,
    WhistleFiguresOut,
    WhistleIn,
    WhistlePage,
)
from api.supervision import period
from domain.case import CaseState, RespondInput, SummonsRequest, WhistleInput
from persistence import supervision

router = APIRouter(prefix="/v1", tags=["whistle and respond"])


async def _signal[T: BaseModel](
    context: Context,
    principal: Principal,
    once: Once,
    body: BaseModel,
    case_id: str,
    action: str,
    inp: T,
    check: Callable[[CaseState, T], None],
    files: Callable[[T], Awaitable[T]] | None = None,
) -> Any:
    """Send the action to the case; ``files`` first adds the files it names to its input."""

    async def answer(_: str | None) -> Sent:
        sent = await files(inp) if files is not None else inp
        await load_case(context, principal, case_id)
        await context.cases.signal(case_id, action, sent, check)
        return Sent(case_id=case_id, detail="sent to the case; GET the case to see it recorded")

    return await once.answer(context, principal, body, answer, status=202)


@router.post("/cases/{case_id}/whistle", response_model=Sent, status_code=202, responses=ACTION_ANSWERS)
async def whistle(case_id: str, body: WhistleIn, principal: UnitKey, context: Context, once: Idempotent) -> Any:
    """The lead unit summons other units to the case, each with a task and a reason (吹哨)."""
    unknown = [s.unit for s in body.summonses if s.unit not in context.reference.units]
    if unknown:
        raise field_errors({"summonses": f"unknown units {unknown}; see config/units.yaml"})
    inp = WhistleInput(
        actor=principal.actor,
        summonses=[SummonsRequest(unit=s.unit, task=s.task, reason=s.reason) for s in body.summonses],
    )
    return await _signal(context, principal, once, body, case_id, "whistle", inp, CaseState.check_whistle)


@router.post("/cases/{case_id}/respond", response_model=Sent, status_code=202, responses=ACTION_ANSWERS)
async def respond(case_id: str, body: RespondIn, principal: UnitKey, context: Context, once: Idempotent) -> Any:
    """A summoned unit reports for duty with what it did (报到), or declines with a reason; either
    with files (``attachments``: ids uploaded to the case first)."""
    if bool(body.report.strip()) == bool(body.decline_reason.strip()):
        raise field_errors({"report": "give either report (what was done) or decline_reason, not both"})
    inp = RespondInput(
        actor=principal.actor, summons_id=body.summons_id, report=body.report, decline_reason=body.decline_reason
    )

    async def files(inp: RespondInput) -> RespondInput:
        check = CaseState.check_respond
        return await with_files(context, principal, case_id, inp, check, body.attachments, "a response")

    return await _signal(context, principal, once, body, case_id, "respond", inp, CaseState.check_respond, files)


WHISTLE_ACTIONS = (
    CaseAction(
        path="/cases/{case_id}/decline-ruling",
        name="rule_decline",
        body=RuleDeclineIn,
        caller=Dispatcher,
        action="rule_decline",
        doc="A dispatcher rules on a summoned unit's decline: uphold (released) or overrule (must respond).",
    ),
    CaseAction(
        path="/cases/{case_id}/rate",
        name="rate",
        body=RateIn,
        caller=UnitKey,
        action="rate",
        doc="The lead unit rates a unit that responded, on speed and quality (1–5), once per summons.",
    ),
)
add_case_actions(router, WHISTLE_ACTIONS)


@router.get("/whistles", response_model=WhistlePage)
async def list_whistles(
    principal: Reader,
    context: Context,
    unit: str | None = None,
    since: Annotated[Instant | None, Query(alias="from")] = None,
    until: Annotated[Instant | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> WhistlePage:
    """Summonses whistled in the period (default: the last 30 days), newest first, and per
    summoned unit: responses, on-time response rate, average response time and ratings."""
    since_, until_ = period(since, until)
    async with context.db.session() as session:
        figures, rows = await supervision.list_whistles(
            session, own_unit(principal, unit), since_, until_, limit, offset
        )
    return WhistlePage(
        since=since_,
        until=until_,
        units=[
            WhistleFiguresOut(
                unit=f.unit,
                summoned=f.summoned,
                responded=f.responded,
                on_time_responses=f.on_time,
                on_time_response_rate=round(f.on_time / f.summoned, 4) if f.summoned else None,
                average_response_minutes=_round(f.average_response_seconds, 60),
                average_speed=_round(f.average_speed),
                average_quality=_round(f.average_quality),
            )
            for f in figures
        ],
        items=[SummonsOut.of(r) for r in rows],
    )


def _round(value: float | None, per: float = 1) -> float | None:
    return None if value is None else round(value / per, 2)
