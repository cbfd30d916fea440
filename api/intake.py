"""POST /v1/requests: idempotent intake. One row pair and one workflow start per new request."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import structlog
from fastapi import APIRouter, Response
from sqlalchemy.exc import IntegrityError
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from api.context import Context, Intake, field_error
from api.schemas import IntakeOut, RequestIn
from domain.case import Actor, CaseInput, CaseRequestRef, Role
from minsheng.settings import Settings
from persistence import repo
from persistence.models import CaseRow, RequestRow
from workflows.attributes import CASE_CHANNEL, CASE_STATUS
from workflows.case import CaseWorkflow

router = APIRouter(prefix="/v1", tags=["intake"])
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
CLOCK_SKEW = timedelta(minutes=5)


def new_id(prefix: str, now: datetime) -> str:
    """Readable over the phone: date, then 10 random base32 characters (50 bits)."""
    return f"{prefix}{now:%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def workflow_id(case_id: str) -> str:
    return f"case-{case_id}"


async def start_case(client: Client, settings: Settings, case: CaseRow, request: RequestRow) -> None:
    """Start the case workflow; starting it again (a retried intake) is a no-op.

    USE_EXISTING answers a running workflow; REJECT_DUPLICATE keeps a closed case from starting
    again under the same id.
    """
    try:
        await client.start_workflow(
            CaseWorkflow.run,
            CaseInput(
                case_id=case.id,
                request=CaseRequestRef(
                    request_id=request.id,
                    channel=request.channel,
                    content=request.content,
                    address=request.address,
                    grid=request.grid,
                    category_hint=request.category_hint,
                    received_at=request.received_at,
                    actor=Actor(role=Role.intake, key_id=request.intake_key_id),
                ),
                classify_threshold=settings.classify_threshold,
            ),
            id=workflow_id(case.id),
            task_queue=settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                [SearchAttributePair(CASE_STATUS, case.status), SearchAttributePair(CASE_CHANNEL, case.channel)]
            ),
        )
    except WorkflowAlreadyStartedError:
        pass


@router.post(
    "/requests",
    status_code=201,
    response_model=IntakeOut,
    responses={200: {"model": IntakeOut, "description": "the same channel_ref again: nothing created"}},
)
async def create_request(
    body: RequestIn, principal: Intake, context: Context, response: Response
) -> IntakeOut:
    """Take a citizen's request from a channel. Idempotent on (channel, channel_ref)."""
    if body.channel not in context.reference.channels:
        raise field_error("channel", f"unknown channel {body.channel!r}; see config/channels.yaml")
    now = datetime.now(UTC)
    if body.reported_at and body.reported_at > now + CLOCK_SKEW:
        raise field_error("reported_at", f"{body.reported_at.isoformat()} is in the future")

    case = CaseRow(
        id=new_id("", now),
        status="received",
        channel=body.channel,
        received_at=now,
        updated_at=now,
    )
    request = RequestRow(
        id=new_id("R", now),
        case_id=case.id,
        channel=body.channel,
        channel_ref=body.channel_ref,
        citizen_name=body.citizen.name,
        citizen_phone=body.citizen.phone,
        content=body.content,
        address=body.address,
        lat=body.location.lat if body.location else None,
        lon=body.location.lon if body.location else None,
        grid=body.grid,
        category_hint=body.category_hint,
        reported_at=body.reported_at,
        received_at=now,
        intake_key_id=principal.key_id,
    )
    status: str = "created"
    try:
        async with context.db.session() as session:
            await repo.insert_intake(session, case, request)
    except IntegrityError:
        # The same (channel, channel_ref) was taken before, or just now by a concurrent call.
        async with context.db.session() as session:
            found = await repo.find_request(session, body.channel, body.channel_ref)
        if found is None:
            raise
        request, case = found
        status = "existing"
        response.status_code = 200
    structlog.contextvars.bind_contextvars(case_id=case.id)
    if case.seq == 0:
        # Not yet seen by the worker: a crash may have come between the commit and the start.
        await start_case(context.client, context.settings, case, request)
    return IntakeOut(request_id=request.id, case_id=case.id, status=status)  # type: ignore[arg-type]
