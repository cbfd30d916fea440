"""POST /v1/requests and /v1/requests:batch: idempotent intake from every channel."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from fastapi import APIRouter, Response
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from api.cases import knowledge_version
from api.context import AppContext, Context, Intake, Principal, answers, field_errors
from api.schemas.intake import BatchIn, BatchItemOut, BatchOut, IntakeOut, ItemError
from domain.request import NewRequest, request_problems
from services.attachments import request_problems as attachment_problems
from services.intake import Submitted, submit_request

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/v1", tags=["intake"])


@router.post(
    "/requests",
    status_code=201,
    response_model=IntakeOut,
    responses={
        200: {"model": IntakeOut, "description": "the same channel_ref again: nothing created"},
        202: {"model": IntakeOut, "description": "kept, but the case engine did not answer: see starting"},
        **answers(503),
    },
)
async def create_request(body: NewRequest, principal: Intake, context: Context, response: Response) -> IntakeOut:
    """Take a citizen's request from a channel. Idempotent on (channel, channel_ref). With
    ``answered``, the operator settled it on the call: the case closes without a unit."""
    now = datetime.now(UTC)
    if problems := await _problems(context, principal, body, now):
        raise field_errors(problems)
    entry = body.answered.knowledge_entry if body.answered else None
    version = await knowledge_version(context, entry, "answered.knowledge_entry")
    submitted = await submit_request(
        context.db, context.cases, context.settings, body, principal.key_id, now, knowledge_version=version
    )
    if submitted.starting:
        response.status_code = 202
    elif not submitted.created:
        response.status_code = 200
    return IntakeOut(
        request_id=submitted.request_id,
        case_id=submitted.case_id,
        status=_status(submitted),
        starting=submitted.starting,
        lookup_token=submitted.lookup_token,
    )


async def _problems(context: AppContext, principal: Principal, new: NewRequest, now: datetime) -> dict[str, str]:
    """Field → reason, for what the shape alone cannot tell: the reference data, and the files."""
    problems = request_problems(new, context.reference, now)
    policy = context.settings.attachment_policy
    key = principal.key_id
    if why := await attachment_problems(context.db, policy, key, new.attachments, new.channel, new.channel_ref):
        problems["attachments"] = why
    return problems


def _status(submitted: Submitted) -> Literal["created", "merged", "existing"]:
    return ("merged" if submitted.merged else "created") if submitted.created else "existing"


@router.post("/requests:batch", response_model=BatchOut)
async def create_requests(body: BatchIn, principal: Intake, context: Context) -> BatchOut:
    """Take in an offline channel's upload of up to 500 requests, each answered on its own.

    Items are taken in one after another, in order: an item that repeats an earlier one (in this
    upload or a past one) is ``existing``, and two reports of one matter in one upload merge."""
    items = [await _take_item(context, principal, index, item) for index, item in enumerate(body.requests)]
    counts: Counter[str] = Counter(item.status for item in items)
    log.info("batch taken in", **counts)
    return BatchOut(counts=dict(counts), items=items)


async def _take_item(context: AppContext, principal: Principal, index: int, item: Any) -> BatchItemOut:
    now = datetime.now(UTC)
    structlog.contextvars.unbind_contextvars("case_id")
    ref = item.get("channel_ref") if isinstance(item, dict) and isinstance(item.get("channel_ref"), str) else None
    try:
        new = NewRequest.model_validate(item)
    except ValidationError as invalid:
        errors = [ItemError(field=".".join(map(str, e["loc"])) or "item", msg=e["msg"]) for e in invalid.errors()]
        return BatchItemOut(index=index, channel_ref=ref, status="refused", errors=errors)
    problems = await _problems(context, principal, new, now)
    if new.answered:
        problems["answered"] = "a request answered on the call is sent alone, to POST /v1/requests"
    if problems:
        errors = [ItemError(field=f, msg=m) for f, m in problems.items()]
        return BatchItemOut(index=index, channel_ref=ref, status="refused", errors=errors)
    try:
        submitted = await submit_request(context.db, context.cases, context.settings, new, principal.key_id, now)
    except SQLAlchemyError as exc:
        log.warning("batch item not taken in", index=index, error=str(exc))
        error = ItemError(field="item", msg="the database did not answer; send this item again")
        return BatchItemOut(index=index, channel_ref=ref, status="failed", errors=[error])
    return BatchItemOut(
        index=index,
        channel_ref=ref,
        status=_status(submitted),
        request_id=submitted.request_id,
        case_id=submitted.case_id,
        starting=submitted.starting,
        lookup_token=submitted.lookup_token,
    )
