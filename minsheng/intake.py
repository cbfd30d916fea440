"""Taking a request in: one transaction for the case and request rows, then the workflow start.

Idempotent on (channel, channel_ref). The rows are committed before the workflow starts and the
caller hears 201 only after it started; a crash in between leaves a row with ``seq == 0``, and
the channel's retry of the same call starts the workflow then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from domain.case import Actor, CaseInput, CaseRequestRef, Role
from domain.request import NewRequest
from minsheng.settings import Settings
from persistence import repo
from persistence.db import Database
from persistence.models import CaseRow, RequestRow
from workflows.attributes import CASE_CHANNEL, CASE_STATUS
from workflows.case import CaseWorkflow

log = structlog.get_logger(__name__)
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread


def new_id(prefix: str, now: datetime) -> str:
    """Readable over the phone: date, then 10 random base32 characters (50 bits)."""
    return f"{prefix}{now:%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def workflow_id(case_id: str) -> str:
    return f"case-{case_id}"


@dataclass(frozen=True)
class Submitted:
    request_id: str
    case_id: str
    created: bool


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
                [
                    SearchAttributePair(CASE_STATUS, case.status),
                    SearchAttributePair(CASE_CHANNEL, case.channel),
                ]
            ),
        )
    except WorkflowAlreadyStartedError:
        pass


async def submit_request(
    db: Database, client: Client, settings: Settings, new: NewRequest, key_id: str, now: datetime
) -> Submitted:
    case = CaseRow(
        id=new_id("", now), status="received", channel=new.channel, received_at=now, updated_at=now
    )
    request = RequestRow(
        id=new_id("R", now),
        case_id=case.id,
        channel=new.channel,
        channel_ref=new.channel_ref,
        citizen_name=new.citizen.name,
        citizen_phone=new.citizen.phone,
        content=new.content,
        address=new.address,
        lat=new.location.lat if new.location else None,
        lon=new.location.lon if new.location else None,
        grid=new.grid,
        category_hint=new.category_hint,
        reported_at=new.reported_at,
        received_at=now,
        intake_key_id=key_id,
    )
    try:
        found = await db.write(lambda session: repo.insert_intake(session, case, request))
    except IntegrityError:
        # PostgreSQL: a concurrent call with the same (channel, channel_ref) committed first.
        async with db.session() as session:
            found = await repo.find_request(session, new.channel, new.channel_ref)
        if found is None:
            raise
    created = found is None
    if found is not None:
        request, case = found
    structlog.contextvars.bind_contextvars(case_id=case.id)
    if case.seq == 0:
        # Not yet seen by the worker: a crash may have come between the commit and the start.
        await start_case(client, settings, case, request)
    log.info("request taken in" if created else "request seen before", channel=new.channel)
    return Submitted(request.id, case.id, created)
