"""Reads and writes around merging (一事多投) and dispatching: dispatchers' splits and manual
merges, the dispatch queue, and requests received against cases opened."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.case import QUEUED, CaseStatus, MergeInput, Role, SplitInput
from persistence.cases import with_first_requests
from persistence.models import CaseEventRow, CaseRow, MergeCorrectionRow, RequestRow


def split_request(session: Session, case_id: str, split: SplitInput, now: datetime) -> tuple[RequestRow, CaseRow]:
    """The request split out of the case it was wrongly merged into (or could no longer join),
    with a case of its own, and a dispatcher's correction recorded. Done again (a retried
    activity) it finds the new case and changes nothing."""
    request = session.get_one(RequestRow, split.request_id)
    if request.case_id != case_id:  # split already (a retried activity, or a repeated signal)
        return request, session.get_one(CaseRow, request.case_id)
    case = CaseRow(
        id=split.new_case_id,
        status=CaseStatus.received.value,
        channel=request.channel,
        received_at=request.received_at,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if split.actor.role is Role.dispatcher:  # not when the case could no longer take the request
        session.add(
            MergeCorrectionRow(
                kind="split",
                request_id=request.id,
                from_case_id=case_id,
                to_case_id=case.id,
                merged_similarity=request.merged_similarity,
                merged_place=request.merged_place,
                actor_key_id=split.actor.key_id,
                reason=split.reason,
                at=now,
            )
        )
    request.case_id, request.merged_similarity, request.merged_place = case.id, None, None
    session.add(request)
    session.flush()
    return request, case


def request_on(session: Session, request_id: str, case_id: str) -> RequestRow | None:
    """The request, if it is still on that case (a retried step finds it moved)."""
    request = session.get(RequestRow, request_id)
    return request if request is not None and request.case_id == case_id else None


def merge_request(session: Session, case_id: str, merge: MergeInput, request_id: str, now: datetime) -> None:
    """Move a merged case's request to the case it was merged into, and record the correction.
    Done again (a retried activity) it finds the request moved and changes nothing."""
    if (request := request_on(session, request_id, case_id)) is None:
        return
    session.add(
        MergeCorrectionRow(
            kind="merge",
            request_id=request.id,
            from_case_id=case_id,
            to_case_id=merge.into_case_id,
            actor_key_id=merge.actor.key_id,
            reason=merge.reason,
            at=now,
        )
    )
    request.case_id = merge.into_case_id
    session.add(request)
    session.flush()


async def corrections(
    session: AsyncSession, since: datetime | None
) -> list[tuple[MergeCorrectionRow, RequestRow, RequestRow | None]]:
    """Dispatchers' corrections, the oldest first, each with its request and the request it was
    wrongly merged with (a split: the first request of the case it left) or should have been
    merged with (a manual merge: the first request the case it joined had of its own): the
    matcher's training pairs. No counterpart when that case has no such request left."""
    query = select(MergeCorrectionRow, RequestRow).join(
        RequestRow, col(RequestRow.id) == col(MergeCorrectionRow.request_id)
    )
    if since is not None:
        query = query.where(col(MergeCorrectionRow.at) >= since)
    rows = list(await session.exec(query.order_by(col(MergeCorrectionRow.at), col(MergeCorrectionRow.id))))
    other_case = {c.id: c.from_case_id if c.kind == "split" else c.to_case_id for c, _ in rows}
    brought: dict[tuple[str, str], set[str]] = defaultdict(set)  # requests a merge brought along
    for c, _ in rows:
        if c.kind == "merge":
            brought[(c.from_case_id, c.to_case_id)].add(c.request_id)
    members: dict[str, list[RequestRow]] = defaultdict(list)
    for request in await session.exec(
        select(RequestRow)
        .where(col(RequestRow.case_id).in_(set(other_case.values())))
        .order_by(col(RequestRow.received_at), col(RequestRow.id))
    ):
        members[request.case_id].append(request)

    def counterpart(c: MergeCorrectionRow) -> RequestRow | None:
        left_out = {c.request_id} | brought[(c.from_case_id, c.to_case_id)]
        return next((r for r in members[other_case[c.id]] if r.id not in left_out), None)

    return [(c, r, counterpart(c)) for c, r in rows]


async def dispatch_queue(
    session: AsyncSession, limit: int, offset: int
) -> tuple[int, list[tuple[CaseRow, RequestRow, dict[str, str]]]]:
    """Cases waiting for a dispatcher, the most urgent first (the citizen's deadline, then the
    centre's limit to dispatch, then the longest waiting), each with its first request and what the
    classifier proposed (or, for a returned case, the unit's reason)."""
    waiting = col(CaseRow.status).in_(QUEUED)
    total = (await session.exec(select(func.count()).select_from(CaseRow).where(waiting))).one()
    cases = list(
        await session.exec(
            select(CaseRow)
            .where(waiting)
            .order_by(
                col(CaseRow.citizen_due_at).asc().nulls_last(),
                col(CaseRow.dispatch_by).asc().nulls_last(),
                col(CaseRow.updated_at),
                col(CaseRow.id),
            )
            .limit(limit)
            .offset(offset)
        )
    )
    ids = [c.id for c in cases]
    pairs = await with_first_requests(session, cases)
    latest: dict[str, dict[str, str]] = {}
    for event in await session.exec(
        select(CaseEventRow)
        .where(col(CaseEventRow.case_id).in_(ids), col(CaseEventRow.kind).in_(("classified", "returned")))
        .order_by(col(CaseEventRow.seq))
    ):
        latest.setdefault(event.case_id, {}).update({"kind": event.kind, "unit": event.actor_unit or ""} | event.detail)
    return total, [(c, r, latest.get(c.id, {})) for c, r in pairs if r is not None]


async def intake_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """Per channel, for requests received in [start, end): how many came, how many of them were
    anonymous (no phone: never called back), and how many opened a case of their own (not merged at
    intake or by hand since)."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "cases": 0, "anonymous": 0})
    received = (col(RequestRow.received_at) >= start, col(RequestRow.received_at) < end)
    for channel, n in await session.exec(
        select(RequestRow.channel, func.count()).where(*received).group_by(RequestRow.channel)
    ):
        counts[channel]["requests"] = n
    for channel, n in await session.exec(
        select(RequestRow.channel, func.count())
        .where(*received, RequestRow.citizen_phone == "")
        .group_by(RequestRow.channel)
    ):
        counts[channel]["anonymous"] = n
    opened = (
        col(CaseRow.received_at) >= start,
        col(CaseRow.received_at) < end,
        col(CaseRow.status) != CaseStatus.merged.value,
    )
    for channel, n in await session.exec(
        select(CaseRow.channel, func.count()).where(*opened).group_by(CaseRow.channel)
    ):
        counts[channel]["cases"] = n
    return dict(counts)


async def dispatch_corrections(session: AsyncSession, limit: int) -> list[tuple[str, str, str, str]]:
    """(content, address, matter type, unit) of the cases dispatchers dispatched by hand, the
    newest first: each is a request the classifier could not place, or placed wrong, labelled by a
    person: training data for the next classifier model."""
    first_request = (
        select(RequestRow.case_id, func.min(RequestRow.received_at).label("at")).group_by(RequestRow.case_id).subquery()
    )
    rows = await session.exec(
        select(RequestRow.content, RequestRow.address, CaseEventRow.detail)
        .join(
            first_request,
            sa.and_(first_request.c.case_id == RequestRow.case_id, first_request.c.at == RequestRow.received_at),
        )
        .join(CaseEventRow, col(CaseEventRow.case_id) == col(RequestRow.case_id))
        .where(col(CaseEventRow.kind) == "dispatched", col(CaseEventRow.actor_role) == "dispatcher")
        .order_by(col(CaseEventRow.at).desc())
        .limit(limit)
    )
    return [(content, address, detail["matter_type"], detail["unit"]) for content, address, detail in rows]
