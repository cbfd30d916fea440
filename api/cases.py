"""Reading cases, and the case actions a caller takes over HTTP: each is a row of ``CASE_ACTIONS``
(its path, body, who may call it, and the case's action it becomes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from api.context import Centre, Context, Dispatcher, Principal, Reader, UnitKey, answers, field_errors, own_unit
from api.idempotency import Idempotent, Once
from api.schemas.cases import (
    AcceptIn,
    AnswerIn,
    CaseOut,
    CasePage,
    CaseSummary,
    DispatchIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ReplyIn,
    ReturnDecisionIn,
    ReturnIn,
    TierIn,
)
from api.schemas.common import Offset
from domain.case import ACTIONS, AnswerInput, CaseState, CaseStatus, DispatchInput, ReplyInput, Role
from domain.knowledge import why_not_valid
from domain.reference import RequestKind, Tier
from persistence import cases, knowledge
from persistence.cases import CaseFile, CaseFilter
from services.attachments import action_refs

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ACTION_ANSWERS = answers(404, 409, 503)
"""What an action on a case may answer besides its result: no such case, the case's refusal, or
the case engine away."""


async def load_case(context: Context, principal: Principal, case_id: str) -> CaseFile:
    structlog.contextvars.bind_contextvars(case_id=case_id)
    async with context.db.session() as session:
        file = await cases.get_case(session, case_id)
    if file is None:
        raise HTTPException(404, f"no case {case_id}")
    summoned = any(s.unit == principal.unit for s in file.summonses)
    if principal.role is Role.unit and file.case.unit_code != principal.unit and not summoned:
        raise HTTPException(403, f"case {case_id} is not assigned to your unit ({principal.unit})")
    structlog.contextvars.bind_contextvars(unit=file.case.unit_code)
    return file


async def case_view(context: Context, principal: Principal, case_id: str) -> CaseOut:
    """The case as the caller may see it (the phone masked unless its role calls citizens); the
    read of its citizens' data is recorded."""
    file = await load_case(context, principal, case_id)
    await context.record_read(principal, case_id, "case")
    return CaseOut.of_file(file, mask_phone=principal.role not in context.settings.phone_visible_to)


@router.get("", response_model=CasePage)
async def list_cases(
    principal: Reader,
    context: Context,
    status: CaseStatus | None = None,
    unit: str | None = None,
    tier: Tier | None = None,
    domain: str | None = None,
    channel: str | None = None,
    kind: RequestKind | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> CasePage:
    """Cases, newest first. A unit key sees its own unit's cases only."""
    unit = own_unit(principal, unit)
    where = CaseFilter(status=status, unit=unit, tier=tier, domain=domain, channel=channel, kind=kind)
    async with context.db.session() as session:
        total, rows = await cases.list_cases(session, where, limit, offset)
    return CasePage(total=total, limit=limit, offset=offset, items=[CaseSummary.of(r) for r in rows])


@router.get("/{case_id}", response_model=CaseOut, responses=answers(404))
async def get_case(case_id: str, principal: Reader, context: Context) -> CaseOut:
    """One case: its state, requests, timeline and callbacks. The citizens' phone numbers are
    masked for roles that need not call them; each read is recorded (key, time, case)."""
    return await case_view(context, principal, case_id)


async def act(
    context: Context,
    principal: Principal,
    case_id: str,
    action: str,
    inp: BaseModel,
    closed_too: bool = False,
    update_id: str | None = None,
) -> CaseOut:
    """Send an action to the case; a refusal comes back with its reason (``ActionRefused``, mapped
    to 403 or 409 by the app). ``closed_too``: the action may reach a closed case still taking late
    joiners (their visits). ``update_id``: a caller's idempotency key, so a retry is applied once."""
    file = await load_case(context, principal, case_id)
    if file.case.status == CaseStatus.merged or (file.case.status == CaseStatus.closed and not closed_too):
        raise HTTPException(409, f"case {case_id} is {file.case.status}")
    await context.cases.act(case_id, action, inp, update_id)
    return await case_view(context, principal, case_id)


async def _dispatch_input(body: DispatchIn, principal: Principal, context: Context, case_id: str) -> DispatchInput:
    reference = context.reference
    if body.unit not in reference.units:
        raise field_errors({"unit": f"unknown unit {body.unit!r}; see config/units.yaml"})
    matter = reference.matter_types.get(body.matter_type)
    if matter is None:
        raise field_errors({"matter_type": f"unknown matter type {body.matter_type!r}; see config/catalogue.yaml"})
    return DispatchInput(
        actor=principal.actor,
        unit=body.unit,
        domain=reference.domain_of[matter.code],
        matter_type=matter.code,
        tier=body.tier or matter.tier,
        note=body.note,
    )


async def knowledge_version(context: Context, entry_id: int | None, field: str) -> int | None:
    """The version of the knowledge-base entry an answer gives, if it may be given today."""
    if entry_id is None:
        return None
    async with context.db.session() as session:
        row = await knowledge.get_entry(session, entry_id)
    if row is None:
        raise field_errors({field: f"no knowledge entry {entry_id}"})
    today = datetime.now(UTC).astimezone(context.settings.timing.zone).date()
    if why := why_not_valid(knowledge.as_entry(row), today):
        raise field_errors({field: why})
    return row.version


async def _answer_input(body: AnswerIn, principal: Principal, context: Context, case_id: str) -> AnswerInput:
    version = await knowledge_version(context, body.knowledge_entry, "knowledge_entry")
    return AnswerInput(
        actor=principal.actor, answer=body.answer, knowledge_entry=body.knowledge_entry, knowledge_version=version
    )


async def with_files[I: BaseModel](
    context: Context,
    principal: Principal,
    case_id: str,
    inp: I,
    check: Callable[[CaseState, I], None],
    ids: list[str],
    what: str,
) -> I:
    """``inp`` with the files it names (``attachments``), their hashes for the case's timeline. The
    case says first whether the caller may act at all (403 or 409), so that a unit not on the case
    learns nothing of its files; then a 422 naming ``attachments`` if one is unknown, another case's
    or unit's, or already taken."""
    await load_case(context, principal, case_id)
    if not ids:
        return inp
    check(await context.cases.state(case_id), inp)
    found = await action_refs(context.db, context.settings.attachment_policy, case_id, principal.actor, ids, what)
    if isinstance(found, str):
        raise field_errors({"attachments": found})
    return inp.model_copy(update={"attachments": found})


async def _reply_input(body: ReplyIn, principal: Principal, context: Context, case_id: str) -> ReplyInput:
    inp = ReplyInput(actor=principal.actor, result=body.result)
    return await with_files(context, principal, case_id, inp, CaseState.check_reply, body.attachments, "a reply")


@dataclass(frozen=True)
class CaseAction:
    """One case action over HTTP: ``POST`` to ``path`` (under its router) with ``body``, by a key of
    ``caller``'s role. By default the body's fields and the caller's actor make the action's input;
    else ``to_input(body, principal, context, case_id)`` makes it, checking and looking up first."""

    path: str
    name: str
    body: type[BaseModel]
    caller: Any
    action: str
    doc: str
    to_input: Callable[[Any, Principal, Context, str], Awaitable[BaseModel]] | None = None


CASE_ACTIONS = (
    CaseAction(
        path="/{case_id}/dispatch",
        name="dispatch",
        body=DispatchIn,
        caller=Dispatcher,
        action="dispatch",
        doc="A dispatcher assigns the case to a unit, with its matter type and tier.",
        to_input=_dispatch_input,
    ),
    CaseAction(
        path="/{case_id}/accept",
        name="accept",
        body=AcceptIn,
        caller=UnitKey,
        action="accept",
        doc="The assigned unit signs for the case (签收).",
    ),
    CaseAction(
        path="/{case_id}/return",
        name="return_case",
        body=ReturnIn,
        caller=UnitKey,
        action="return",
        doc="The assigned unit asks to return a case that is not its own (退办), with the reason; a "
        "dispatcher decides (cases started before return at once). Its deadline runs meanwhile.",
    ),
    CaseAction(
        path="/{case_id}/return/decision",
        name="decide_return",
        body=ReturnDecisionIn,
        caller=Dispatcher,
        action="decide_return",
        doc="A dispatcher approves a unit's return (退办审核: back to the queue, the citizen's clock "
        "unchanged) or refuses it (the case stays with the unit, its deadline unchanged).",
    ),
    CaseAction(
        path="/{case_id}/reply",
        name="reply",
        body=ReplyIn,
        caller=UnitKey,
        action="reply",
        doc="The assigned unit reports what it did (办结), with the files that show it (``attachments``: "
        "ids uploaded to the case first).",
        to_input=_reply_input,
    ),
    CaseAction(
        path="/{case_id}/answer",
        name="answer_case",
        body=AnswerIn,
        caller=Centre,
        action="answer",
        doc="The centre answers a request waiting in the dispatch queue itself (一次性答复), from the "
        "knowledge base or anything it can settle: the case never reaches a unit, is visited back where "
        "config/callbacks.yaml says so, and counts as resolved at first contact.",
        to_input=_answer_input,
    ),
    CaseAction(
        path="/{case_id}/tier",
        name="change_tier",
        body=TierIn,
        caller=Dispatcher,
        action="change_tier",
        doc="A dispatcher changes the colour tier, with the reason; the pending deadlines move.",
    ),
    CaseAction(
        path="/{case_id}/extension",
        name="request_extension",
        body=ExtensionIn,
        caller=UnitKey,
        action="request_extension",
        doc="The assigned unit asks for a later deadline (延期), with the reason.",
    ),
    CaseAction(
        path="/{case_id}/extension/decision",
        name="decide_extension",
        body=ExtensionDecisionIn,
        caller=Dispatcher,
        action="decide_extension",
        doc="A dispatcher approves or refuses the unit's extension request.",
    ),
)


async def perform(
    spec: CaseAction,
    context: Context,
    principal: Principal,
    case_id: str,
    body: BaseModel,
    update_id: str | None = None,
) -> CaseOut:
    """The action of ``spec`` on the case, for its endpoint and for the console's forms alike."""
    if spec.to_input is not None:
        inp = await spec.to_input(body, principal, context, case_id)
    else:
        inp = ACTIONS[spec.action].input(actor=principal.actor, **dict(body))
    return await act(context, principal, case_id, spec.action, inp, update_id=update_id)


def _endpoint(spec: CaseAction) -> Callable[..., Any]:
    async def endpoint(case_id: str, body: BaseModel, principal: Principal, context: Context, once: Once) -> Any:
        async def answer(update_id: str | None) -> CaseOut:
            return await perform(spec, context, principal, case_id, body, update_id)

        return await once.answer(context, principal, body, answer)

    # FastAPI reads the body's model and the caller's dependency from the annotations.
    endpoint.__annotations__ = {
        "case_id": str,
        "body": spec.body,
        "principal": spec.caller,
        "context": Context,
        "once": Idempotent,
        "return": CaseOut,
    }
    endpoint.__name__ = spec.name
    endpoint.__doc__ = spec.doc
    return endpoint


def add_case_actions(router: APIRouter, actions: tuple[CaseAction, ...]) -> None:
    for spec in actions:
        router.add_api_route(
            spec.path, _endpoint(spec), methods=["POST"], response_model=CaseOut, responses=ACTION_ANSWERS
        )


add_case_actions(router, CASE_ACTIONS)
