"""Reading cases, and the case actions: dispatch, accept, return, reply, tier, extension."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.context import Context, Dispatcher, Principal, Reader, UnitKey, field_errors, own_unit
from api.schemas import (
    AcceptIn,
    CaseOut,
    CasePage,
    CaseSummary,
    DispatchIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ReplyIn,
    ReturnIn,
    TierIn,
)
from domain.case import (
    AcceptInput,
    CaseStatus,
    DispatchInput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    ReplyInput,
    ReturnInput,
    Role,
    TierChangeInput,
)
from domain.reference import Tier
from minsheng.intake import workflow_id
from persistence import repo
from persistence.repo import CaseFile, CaseFilter
from workflows.case import CaseWorkflow

router = APIRouter(prefix="/v1/cases", tags=["cases"])
REFUSAL_STATUS = {"forbidden": 403, "conflict": 409}


async def load_case(context: Context, principal: Principal, case_id: str) -> CaseFile:
    structlog.contextvars.bind_contextvars(case_id=case_id)
    async with context.db.session() as session:
        file = await repo.get_case(session, case_id)
    if file is None:
        raise HTTPException(404, f"no case {case_id}")
    summoned = any(s.unit == principal.unit for s in file.summonses)
    if principal.role is Role.unit and file.case.unit_code != principal.unit and not summoned:
        raise HTTPException(403, f"case {case_id} is not assigned to your unit ({principal.unit})")
    structlog.contextvars.bind_contextvars(unit=file.case.unit_code)
    return file


@router.get("", response_model=CasePage)
async def list_cases(
    principal: Reader,
    context: Context,
    status: CaseStatus | None = None,
    unit: str | None = None,
    tier: Tier | None = None,
    domain: str | None = None,
    channel: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePage:
    """Cases, newest first. A unit key sees its own unit's cases only."""
    unit = own_unit(principal, unit)
    where = CaseFilter(status=status, unit=unit, tier=tier, domain=domain, channel=channel)
    async with context.db.session() as session:
        total, rows = await repo.list_cases(session, where, limit, offset)
    return CasePage(total=total, limit=limit, offset=offset, items=[CaseSummary.of(r) for r in rows])


@router.get("/{case_id}", response_model=CaseOut)
async def get_case(case_id: str, principal: Reader, context: Context) -> CaseOut:
    """One case: its state, requests, timeline and callbacks."""
    return CaseOut.of_file(await load_case(context, principal, case_id))


@contextmanager
def open_case(case_id: str) -> Iterator[None]:
    """A case whose workflow has ended can no longer be acted on: 409, not an engine error."""
    try:
        yield
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise HTTPException(409, f"case {case_id} is no longer open") from None
        raise


async def act(
    context: Context, principal: Principal, case_id: str, update: Any, inp: BaseModel, closed_too: bool = False
) -> CaseOut:
    """Send an action to the case workflow as an update; a refusal comes back with its reason.
    ``closed_too``: the action may reach a closed case still taking late joiners (their visits)."""
    file = await load_case(context, principal, case_id)
    if file.case.status == CaseStatus.merged or (file.case.status == CaseStatus.closed and not closed_too):
        raise HTTPException(409, f"case {case_id} is {file.case.status}")
    handle = context.client.get_workflow_handle(workflow_id(case_id))
    try:
        with open_case(case_id):
            await handle.execute_update(update, inp)
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        if isinstance(cause, ApplicationError) and cause.type in REFUSAL_STATUS:
            raise HTTPException(REFUSAL_STATUS[cause.type], cause.message) from None
        raise
    return CaseOut.of_file(await load_case(context, principal, case_id))


@router.post("/{case_id}/dispatch", response_model=CaseOut)
async def dispatch(case_id: str, body: DispatchIn, principal: Dispatcher, context: Context) -> CaseOut:
    """A dispatcher assigns the case to a unit, with its matter type and tier."""
    reference = context.reference
    if body.unit not in reference.units:
        raise field_errors({"unit": f"unknown unit {body.unit!r}; see config/units.yaml"})
    matter = reference.matter_types.get(body.matter_type)
    if matter is None:
        raise field_errors({"matter_type": f"unknown matter type {body.matter_type!r}; see config/catalogue.yaml"})
    inp = DispatchInput(
        actor=principal.actor,
        unit=body.unit,
        domain=reference.domain_of[matter.code],
        matter_type=matter.code,
        tier=body.tier or matter.tier,
        note=body.note,
    )
    return await act(context, principal, case_id, CaseWorkflow.dispatch, inp)


@router.post("/{case_id}/accept", response_model=CaseOut)
async def accept(case_id: str, body: AcceptIn, principal: UnitKey, context: Context) -> CaseOut:
    """The assigned unit signs for the case (签收)."""
    inp = AcceptInput(actor=principal.actor, note=body.note)
    return await act(context, principal, case_id, CaseWorkflow.accept, inp)


@router.post("/{case_id}/return", response_model=CaseOut)
async def return_case(case_id: str, body: ReturnIn, principal: UnitKey, context: Context) -> CaseOut:
    """The assigned unit returns a case that is not its own (退办), with the reason."""
    inp = ReturnInput(actor=principal.actor, reason=body.reason)
    return await act(context, principal, case_id, CaseWorkflow.return_, inp)


@router.post("/{case_id}/reply", response_model=CaseOut)
async def reply(case_id: str, body: ReplyIn, principal: UnitKey, context: Context) -> CaseOut:
    """The assigned unit reports what it did (办结)."""
    inp = ReplyInput(actor=principal.actor, result=body.result)
    return await act(context, principal, case_id, CaseWorkflow.reply, inp)


@router.post("/{case_id}/tier", response_model=CaseOut)
async def change_tier(case_id: str, body: TierIn, principal: Dispatcher, context: Context) -> CaseOut:
    """A dispatcher changes the colour tier, with the reason; the pending deadlines move."""
    inp = TierChangeInput(actor=principal.actor, tier=body.tier, reason=body.reason)
    return await act(context, principal, case_id, CaseWorkflow.change_tier, inp)


@router.post("/{case_id}/extension", response_model=CaseOut)
async def request_extension(case_id: str, body: ExtensionIn, principal: UnitKey, context: Context) -> CaseOut:
    """The assigned unit asks for a later deadline (延期), with the reason."""
    inp = ExtensionRequestInput(actor=principal.actor, until=body.until, reason=body.reason)
    return await act(context, principal, case_id, CaseWorkflow.request_extension, inp)


@router.post("/{case_id}/extension/decision", response_model=CaseOut)
async def decide_extension(case_id: str, body: ExtensionDecisionIn, principal: Dispatcher, context: Context) -> CaseOut:
    """A dispatcher approves or refuses the unit's extension request."""
    inp = ExtensionDecisionInput(actor=principal.actor, approve=body.approve, note=body.note)
    return await act(context, principal, case_id, CaseWorkflow.decide_extension, inp)
