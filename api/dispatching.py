"""The dispatcher's desk: the dispatch queue, splitting a wrongly merged request out and merging
cases by hand (一事多投), and what merging saved: requests received against cases opened."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from api.cases import ACTION_ANSWERS, act, case_view, load_case
from api.context import Context, Dispatcher, Principal, in_order, require
from api.idempotency import Idempotent
from api.schemas.cases import CaseOut
from api.schemas.common import Day, Offset
from api.schemas.dispatching import (
    ChannelIntake,
    CorrectionOut,
    CorrectionPage,
    CorrectionRequestOut,
    DispatchQueuePage,
    IntakePeriod,
    IntakeStats,
    MergeIn,
    QueuedCase,
    SplitIn,
    SplitOut,
)
from domain.case import CaseStatus, MergeInput, Role, SplitInput
from domain.intake_stats import By, intake_periods, period_count, reduction
from persistence import dispatching
from persistence.models import RequestRow
from services.intake import new_id

router = APIRouter(prefix="/v1", tags=["dispatching"])
Overseer = Annotated[Principal, require(Role.dispatcher, Role.leader, Role.auditor)]
MAX_PERIODS = {By.day: 92, By.month: 36}


@router.get("/dispatch-queue", response_model=DispatchQueuePage)
async def dispatch_queue(
    principal: Overseer,
    context: Context,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> DispatchQueuePage:
    """Cases waiting for a dispatcher, the longest waiting first: those the classifier was not sure
    of (with what it proposed and how sure it was) and those a unit returned (with its reason).
    Dispatch one with ``POST /v1/cases/{id}/dispatch``; each such dispatch teaches the classifier."""
    async with context.db.session() as session:
        total, rows = await dispatching.dispatch_queue(session, limit, offset)
    now = datetime.now(UTC)
    return DispatchQueuePage(total=total, limit=limit, offset=offset, items=[QueuedCase.of(*row, now) for row in rows])


@router.post("/cases/{case_id}/split", response_model=SplitOut, responses=ACTION_ANSWERS)
async def split(case_id: str, body: SplitIn, principal: Dispatcher, context: Context, once: Idempotent) -> Any:
    """Take a request that intake merged into this case by mistake out into a case of its own,
    classified and dispatched afresh. Recorded as training data for the matcher."""

    async def answer(update_id: str | None) -> SplitOut:
        new_case_id = new_id("", datetime.now(UTC))
        inp = SplitInput(actor=principal.actor, request_id=body.request_id, new_case_id=new_case_id, reason=body.reason)
        case = await act(context, principal, case_id, "split", inp, update_id=update_id)
        return SplitOut(new_case_id=new_case_id, case=case)

    return await once.answer(context, principal, body, answer)


@router.post("/cases/{case_id}/merge", response_model=CaseOut, responses=ACTION_ANSWERS)
async def merge(case_id: str, body: MergeIn, principal: Dispatcher, context: Context, once: Idempotent) -> Any:
    """Merge this case into another case of the same matter, one intake did not merge: its
    requests join that case (their citizens get its reply and a callback visit), and this case
    ends as ``merged``. Recorded as training data for the matcher. Returns the case merged into."""

    async def answer(update_id: str | None) -> CaseOut:
        into = await load_case(context, principal, body.into)
        if into.case.status in (CaseStatus.closed, CaseStatus.merged):
            raise HTTPException(409, f"case {body.into} is {into.case.status}: it takes no more requests")
        inp = MergeInput(actor=principal.actor, into_case_id=body.into, reason=body.reason)
        await act(context, principal, case_id, "merge_into", inp, update_id=update_id)
        return await case_view(context, principal, body.into)

    return await once.answer(context, principal, body, answer)


@router.get("/merge-corrections", response_model=CorrectionPage)
async def merge_corrections(
    principal: Overseer, context: Context, since: Annotated[datetime | None, Query()] = None
) -> CorrectionPage:
    """Dispatchers' splits and manual merges, the oldest first, with each request's text and
    place: pairs the matcher must not merge, and pairs it missed (its training data)."""
    async with context.db.session() as session:
        rows = await dispatching.corrections(session, since)
    return CorrectionPage(
        items=[
            CorrectionOut(
                kind=c.kind,
                from_case_id=c.from_case_id,
                to_case_id=c.to_case_id,
                merged_similarity=c.merged_similarity,
                merged_place=c.merged_place,
                reason=c.reason,
                at=c.at,
                counterpart=_as_seen(other) if other else None,
                **_as_seen(r).model_dump(),
            )
            for c, r, other in rows
        ]
    )


def _as_seen(request: RequestRow) -> CorrectionRequestOut:
    return CorrectionRequestOut(
        request_id=request.id,
        content=request.content,
        address=request.address,
        grid=request.grid,
        lat=request.lat,
        lon=request.lon,
        received_at=request.received_at,
    )


@router.get("/stats/intake", response_model=IntakeStats)
async def intake_stats(
    principal: Overseer,
    context: Context,
    first: Annotated[Day, Query(alias="from")],
    last: Annotated[Day, Query(alias="to")],
    by: By = By.day,
) -> IntakeStats:
    """Requests received against cases opened, per channel, for each day or month from ``from``
    to ``to`` (the city's dates): how much merging repeat submissions (一事多投) saved."""
    in_order(first, last, MAX_PERIODS[by], period_count(first, last, by), f"{by.value}s")
    periods = intake_periods(first, last, by, context.settings.timing.zone)
    out = []
    async with context.db.session() as session:
        for period in periods:
            counts = await dispatching.intake_counts(session, period.start, period.end)
            channels = [
                _figures(channel, c["requests"], c["cases"], c["anonymous"]) for channel, c in sorted(counts.items())
            ]
            total = _figures(
                "*",
                sum(c.requests for c in channels),
                sum(c.cases for c in channels),
                sum(c.anonymous for c in channels),
            )
            out.append(
                IntakePeriod(period=period.label, start=period.start, end=period.end, total=total, channels=channels)
            )
    return IntakeStats(by=by, periods=out)


def _figures(channel: str, requests: int, cases: int, anonymous: int) -> ChannelIntake:
    return ChannelIntake(
        channel=channel,
        requests=requests,
        cases=cases,
        merged=requests - cases,
        reduction=reduction(requests, cases),
        anonymous=anonymous,
    )
