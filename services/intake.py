"""Taking a request in: merged into the open case of the same matter (一事多投), or a new case;
and the reconciler, which hands over what intake could not.

Idempotent on (channel, channel_ref). The rows are committed, with a hand-over record, before the
workflow starts (or the request joins its case's workflow). When the case engine does not answer,
or the process dies in between, the record stays: the caller hears that the request is kept, and
the worker's reconciler starts or joins it once the engine answers, exactly once (a case's
workflow id is the case's, a join is known by its request id). The case's first recorded step
deletes the record.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio.service import RPCError

from domain.classification import locate_town
from domain.ids import RANDOM_BITS, readable_id
from domain.kinds import request_kind
from domain.matching import MatchFound, Submission, best_match, geo_cell, submission_of
from domain.reference import RequestKind
from domain.request import NewRequest
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from persistence import attachments, intake
from persistence.db import Database
from persistence.models import CaseRow, HandoffRow, RequestRow

log = structlog.get_logger(__name__)


def new_id(prefix: str, now: datetime) -> str:
    return readable_id(prefix, now, secrets.randbits(RANDOM_BITS))


@dataclass(frozen=True)
class Submitted:
    request_id: str
    case_id: str
    created: bool
    merged: bool = False
    starting: bool = False
    """The case engine did not answer in time: the request is kept and the reconciler hands it over."""
    lookup_token: str | None = None
    """The citizen's token to look the request up by (the same on a repeat)."""


def _new_case(request: RequestRow, now: datetime) -> CaseRow:
    return CaseRow(
        id=new_id("", now),
        status="received",
        channel=request.channel,
        kind=request.kind,
        town_code=request.town_code,
        received_at=now,
        updated_at=now,
    )


MERGING_KINDS = (RequestKind.complaint.value, RequestKind.help.value)
"""Several reports of one matter (一事多投) are complaints and calls for help. A consultation, a
suggestion or praise is its citizen's own, and one answered on the call is settled already."""


def _may_merge(request: RequestRow) -> bool:
    return request.kind in MERGING_KINDS and request.first_answer is None


def _match(session: Session, settings: Settings, request: RequestRow, new: Submission) -> MatchFound | None:
    """The open (or lately closed) case of the request's matter, if any."""
    model, policy = settings.text_model, settings.match_policy
    since = request.received_at - timedelta(days=policy.window_days)
    closed_since = request.received_at - timedelta(days=policy.closed_within_days)
    rows = intake.merge_candidates(session, request, since, closed_since, policy.area_wide_matter_types)
    return best_match(
        new,
        [
            (case_id, submission_of(content, address, at, lat, lon, grid, model))
            for case_id, content, address, at, lat, lon, grid in rows
        ],
        policy,
    )


def _take_in(
    session: Session, settings: Settings, request: RequestRow, new: Submission, files: list[str]
) -> tuple[RequestRow, CaseRow | None, bool]:
    """In one write transaction: the earlier copy of this request if the channel sent it before;
    else the request merged into the open case of its matter, or with a new case. On SQLite the
    writes are serialised, so two reports of one matter arriving together cannot both open a case."""
    if earlier := intake.earlier_request(session, request.channel, request.channel_ref):
        return earlier[0], earlier[1], False
    match = _match(session, settings, request, new) if _may_merge(request) else None
    if match:
        case = None
        request.case_id, request.merged_similarity, request.merged_place = match.case_id, match.similarity, match.place
    else:
        case = _new_case(request, request.received_at)
        request.case_id = case.id
    intake.add_intake(session, case, request, request.received_at + timedelta(seconds=settings.handoff_grace_seconds))
    attachments.attach_to_request(session, files, request.id)
    return request, case, True


async def submit_request(
    db: Database,
    cases: CaseGateway,
    settings: Settings,
    new: NewRequest,
    key_id: str,
    now: datetime,
    knowledge_version: int | None = None,
) -> Submitted:
    """Take a request in: merged into the open case of the same matter if there is one, else a
    new case. Idempotent on (channel, channel_ref)."""
    channel = settings.reference.channels[new.channel]
    kind, kind_source = request_kind(new.content, new.kind, channel.request_kind, settings.kind_policy)
    answered = new.answered
    request = RequestRow(
        id=new_id("R", now),
        case_id="",
        channel=new.channel,
        channel_ref=new.channel_ref,
        citizen_name=new.citizen.name if new.citizen else "",
        citizen_phone=new.citizen.phone if new.citizen else "",
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
        kind=kind.value,
        kind_source=kind_source.value,
        first_answer=answered.answer if answered else None,
        knowledge_entry_id=answered.knowledge_entry if answered else None,
        knowledge_version=knowledge_version,
        lookup_token=secrets.token_urlsafe(12),
        media_url=new.media_url,
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
        request, case, created = await db.write(
            lambda session: _take_in(session, settings, request, submission, new.attachments)
        )
    except IntegrityError:
        # PostgreSQL: a concurrent call with the same (channel, channel_ref) committed first.
        async with db.session() as session:
            found = await intake.find_request(session, new.channel, new.channel_ref)
        if found is None:
            raise
        (request, case), created = found, False
    structlog.contextvars.bind_contextvars(case_id=request.case_id)
    starting = False
    if request.merged_place is not None or (case is not None and case.seq == 0):
        # Not yet seen by the worker: a crash may have come between the commit and the hand-over.
        try:
            async with asyncio.timeout(settings.handoff_timeout_seconds):
                await hand_over(db, cases, request, case, now)
        except (TimeoutError, RPCError) as exc:
            log.warning("the case engine did not answer: the request is kept for the reconciler", error=_why(exc))
            await db.write(lambda session: intake.kept(session, request, datetime.now(UTC)))
            starting = True
    merged = request.merged_place is not None
    log.info(
        ("request merged" if merged else "request taken in") if created else "request seen before",
        channel=new.channel,
        merged_place=request.merged_place,
        merged_similarity=request.merged_similarity,
    )
    return Submitted(request.id, request.case_id, created, merged, starting, request.lookup_token)


def _why(exc: BaseException) -> str:
    if isinstance(exc, RPCError):
        return f"{exc.status.name}: {exc.message}"
    return f"no answer within the hand-over timeout ({type(exc).__name__})"


async def hand_over(db: Database, cases: CaseGateway, request: RequestRow, case: CaseRow | None, now: datetime) -> None:
    """Give the request to its case's workflow: start the case with it, or send it to join.
    ``case``: the request's case row, if at hand. A merged request whose case has no workflow
    joins once that case is started, if the case waits to be started itself; else (the case has
    ended) it opens a case of its own, and ``request`` is changed to say so."""
    if request.merged_place is None:
        assert case is not None
        await cases.start(case, request)
        return
    if await cases.join(request):
        return
    async with db.session() as session:
        opener = await intake.pending_opener(session, request.case_id)
    if opener is not None:
        await cases.start(opener[1], opener[0])
        if await cases.join(request):
            return
    # The case closed between the match and the join: the request starts its own case.
    own = _new_case(request, now)
    await db.write(lambda session: intake.move_request(session, request.id, own))
    request.case_id, request.merged_similarity, request.merged_place = own.id, None, None
    await cases.start(own, request)


@dataclass(frozen=True)
class Reconciled:
    handed_over: int
    failed: int
    engine_down: bool = False


RECONCILE_PAGE = 500
RECONCILE_CONCURRENCY = 16
"""Cases handed over at once; a case's own requests go one after another, its opener first."""

Outcome = Literal["handed over", "failed", "engine down"]
Due = tuple[HandoffRow, RequestRow, CaseRow]


async def reconcile_intake(db: Database, cases: CaseGateway, settings: Settings, now: datetime) -> Reconciled:
    """Hand over every request whose hand-over is due (intake gave it up, or it is older than the
    grace period), oldest first within each case. An engine that does not answer ends the round:
    the next round tries again from the oldest. Any other failure is kept on the record for an
    operator and the round goes on."""
    handed = failed = 0
    after: tuple[datetime, str] | None = None
    while page := await _due(db, now, after):
        after = (page[-1][0].created_at, page[-1][0].request_id)
        outcomes = await _hand_over_page(db, cases, settings, page, now)
        done = [request for request, outcome in outcomes if outcome == "handed over"]
        if done:
            await db.write(functools.partial(intake.handed_over, requests=done))
        handed, failed = handed + len(done), failed + len(outcomes) - len(done)
        if any(outcome == "engine down" for _, outcome in outcomes):
            return Reconciled(handed, failed, engine_down=True)
    return Reconciled(handed, failed)


async def _hand_over_page(
    db: Database, cases: CaseGateway, settings: Settings, page: list[Due], now: datetime
) -> list[tuple[RequestRow, Outcome]]:
    by_case: dict[str, list[Due]] = {}
    for due in page:
        by_case.setdefault(due[1].case_id, []).append(due)
    gate = asyncio.Semaphore(RECONCILE_CONCURRENCY)
    down = asyncio.Event()
    outcomes: list[tuple[RequestRow, Outcome]] = []

    async def one_case(rows: list[Due]) -> None:
        async with gate:
            for handoff, request, case in rows:
                if down.is_set():
                    return
                with structlog.contextvars.bound_contextvars(case_id=request.case_id, unit=case.unit_code):
                    outcome = await _reconcile(db, cases, settings, handoff, request, case, now)
                outcomes.append((request, outcome))
                if outcome == "engine down":
                    down.set()
                if outcome != "handed over":
                    return  # a later request of the case may need this one

    await asyncio.gather(*(one_case(rows) for rows in by_case.values()))
    return outcomes


async def _reconcile(
    db: Database,
    cases: CaseGateway,
    settings: Settings,
    handoff: HandoffRow,
    request: RequestRow,
    case: CaseRow,
    now: datetime,
) -> Outcome:
    try:
        async with asyncio.timeout(settings.handoff_timeout_seconds):
            await hand_over(db, cases, request, case, now)
    except (TimeoutError, RPCError) as exc:
        why = _why(exc)
        await db.write(lambda session: intake.handover_failed(session, handoff.request_id, why))
        log.warning("the case engine did not answer: reconciliation waits for the next round", error=why)
        return "engine down"
    except Exception as exc:
        why = repr(exc)
        await db.write(lambda session: intake.handover_failed(session, handoff.request_id, why))
        log.exception("request not handed over", request_id=handoff.request_id)
        return "failed"
    log.info("request handed over by the reconciler", request_id=request.id, attempts=handoff.attempts)
    return "handed over"


async def _due(db: Database, now: datetime, after: tuple[datetime, str] | None) -> list[Due]:
    async with db.session() as session:
        return await intake.due_handoffs(session, now, after, RECONCILE_PAGE)
