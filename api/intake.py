"""POST /v1/requests: idempotent intake from every channel."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from api.context import Context, Intake, field_errors
from api.schemas import IntakeOut
from domain.request import NewRequest, request_problems
from minsheng.intake import submit_request

router = APIRouter(prefix="/v1", tags=["intake"])


@router.post(
    "/requests",
    status_code=201,
    response_model=IntakeOut,
    responses={200: {"model": IntakeOut, "description": "the same channel_ref again: nothing created"}},
)
async def create_request(
    body: NewRequest, principal: Intake, context: Context, response: Response
) -> IntakeOut:
    """Take a citizen's request from a channel. Idempotent on (channel, channel_ref)."""
    now = datetime.now(UTC)
    if problems := request_problems(body, context.reference, now):
        raise field_errors(problems)
    submitted = await submit_request(
        context.db, context.client, context.settings, body, principal.key_id, now
    )
    if not submitted.created:
        response.status_code = 200
    return IntakeOut(
        request_id=submitted.request_id,
        case_id=submitted.case_id,
        status=("merged" if submitted.merged else "created") if submitted.created else "existing",
    )
