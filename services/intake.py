"""Taking a request in: merged into the open case of the same matter (一事多投), or a new case.

Idempotent on (channel, channel_ref). The rows are committed before the workflow starts (or the
request joins its case's workflow) and the caller hears 201 only after that; a crash in between
leaves the rows, and the channel's retry of the same call starts or joins then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from domain.classification import locate_town
from domain.ids import RANDOM_BITS, readable_id
from domain.matching import Submission, best_match, geo_cell, submission_of
from domain.request import NewRequest
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from persistence import intake
from persistence.db import Database
from persistence.models import CaseRow, RequestRow

log = structlog.get_logger(__name__)


def new_id(prefix: str, now: datetime) -> str:
    return readable_id(prefix, now, secrets.randbits(RANDOM_BITS))


@dataclass(frozen=True)
class Submitted:
    request_id: str
    case_id: str
    created: bool
    merged: bool = False


def _new_case(request: RequestRow, now: datetime) -> CaseRow:
    return CaseRow(id=new_id("", now), status="received", channel=request.channel, received_at=now, updated_at=now)


def _take_in(
    session: Session, settings: Settings, request: RequestRow, new: Submission
) -> tuple[RequestRow, CaseRow | None, bool]:
    """In one write transaction: the earlier copy of this request if the channel sent it before;
    else the request merged into the open case of its matter, or with a new case. On SQLite the
    writes are serialised, so two reports of one matter arriving together cannot both open a case."""
    if earlier := intake.earlier_request(session, request.channel, request.channel_ref):
        return earlier[0], earlier[1], False
    model, policy = settings.text_model, settings.match_policy
    since = request.received_at - timedelta(days=policy.window_days)
    closed_since = request.received_at - timedelta(days=policy.closed_within_days)
    rows = intake.merge_candidates(session, request, since, closed_since, policy.area_wide_matter_types)
    match = best_match(
        new,
        [
            (case_id, submission_of(content, address, at, lat, lon, grid, model))
            for case_id, content, address, at, lat, lon, grid in rows
        ],
        policy,
    )
    if match:
        case = None
        request.case_id, request.merged_similarity, request.merged_place = match.case_id, match.similarity, match.place
    else:
        case = _new_case(request, request.received_at)
        request.case_id = case.id
    intake.add_intake(session, case, request)
    return request, case, True


async def submit_request(
    db: Database, cases: CaseGateway, settings: Settings, new: NewRequest, key_id: str, now: datetime
) -> Submitted:
    """Take a request in: merged into the open case of the same matter if there is one, else a
    new case. Idempotent on (channel, channel_ref)."""
    request = RequestRow(
        id=new_id("R", now),
        case_id="",
        channel=new.channel,
        channel_ref=new.channel_ref,
        citizen_name=new.citizen.name,
        citizen_phone=new.citizen.phone,
        content=new.content,
        address=new.address,
        lat=new.location.lat if new.location else None,
        lon=new.location.lon if new.location else None,
        grid=new.grid,
        geo_cell=geo_cell(new.location.lat, new.location.lon) if new.location else None,
        town_code=locate_town(new.address, new.grid, settings.reference),
        category_hint=new.category_hint,
        reported_at=new.reported_at,
        received_at=now,
        intake_key_id=key_id,
    )
    # The new request's features outside the write lock; the open cases' are cached in the process.
    submission = submission_of(
        request.content,
        request.address,
        request.received_at,
        request.lat,
        request.lon,
        request.grid,
        settings.text_model,
    )
    numbers = submission.house_numbers
    request.house_number = next(iter(numbers)) if len(numbers) == 1 else None
    request.matter_hint = submission.matter_type
    try:
        request, case, created = await db.write(lambda session: _take_in(session, settings, request, submission))
    except IntegrityError:
        # PostgreSQL: a concurrent call with the same (channel, channel_ref) committed first.
        async with db.session() as session:
            found = await intake.find_request(session, new.channel, new.channel_ref)
        if found is None:
            raise
        (request, case), created = found, False
    structlog.contextvars.bind_contextvars(case_id=request.case_id)
    if request.merged_place is not None and not await cases.join(request):
        # The case closed between the match and the join: the request starts its own case.
        case = _new_case(request, now)
        await db.write(lambda session: intake.move_request(session, request.id, case))
        request.case_id, request.merged_similarity, request.merged_place = case.id, None, None
    if case is not None and case.seq == 0 and request.merged_place is None:
        # Not yet seen by the worker: a crash may have come between the commit and the start.
        await cases.start(case, request)
    merged = request.merged_place is not None
    log.info(
        ("request merged" if merged else "request taken in") if created else "request seen before",
        channel=new.channel,
        merged_place=request.merged_place,
        merged_similarity=request.merged_similarity,
    )
    return Submitted(request.id, request.case_id, created, merged)
