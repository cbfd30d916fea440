"""Open311 GeoReport v2's reads: the requests taken in through its channel, with their cases and
the units' latest replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import CaseEventRow, CaseRow, RequestRow

OPEN311 = "open311"


@dataclass(frozen=True)
class ServiceRequest:
    request: RequestRow
    case: CaseRow
    reply: str | None


@dataclass(frozen=True)
class RequestFilter:
    ids: list[str] | None = None
    service_codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    closed: bool | None = None
    """True: closed cases only; False: open ones only; None: both."""


async def service_requests(session: AsyncSession, where: RequestFilter, limit: int) -> list[ServiceRequest]:
    """The Open311 channel's requests that match, the newest first."""
    conditions = [RequestRow.channel == OPEN311]
    if where.ids is not None:
        conditions.append(col(RequestRow.id).in_(where.ids))
    if where.service_codes is not None:
        conditions.append(col(CaseRow.matter_type_code).in_(where.service_codes))
    if where.start is not None:
        conditions.append(col(RequestRow.received_at) >= where.start)
    if where.end is not None:
        conditions.append(col(RequestRow.received_at) <= where.end)
    if where.closed is not None:
        closed = col(CaseRow.status) == "closed"
        conditions.append(closed if where.closed else ~closed)
    rows = list(
        (
            await session.exec(
                select(RequestRow, CaseRow)
                .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
                .where(*conditions)
                .order_by(col(RequestRow.received_at).desc(), col(RequestRow.id))
                .limit(limit)
            )
        ).all()
    )
    replies = await _latest_replies(session, list({case.id for _, case in rows}))
    return [ServiceRequest(request, case, replies.get(case.id)) for request, case in rows]


async def _latest_replies(session: AsyncSession, case_ids: list[str]) -> dict[str, str]:
    events = await session.exec(
        select(CaseEventRow.case_id, CaseEventRow.detail)
        .where(col(CaseEventRow.case_id).in_(case_ids), CaseEventRow.kind == "replied")
        .order_by(col(CaseEventRow.seq))
    )
    return {case_id: detail["result"] for case_id, detail in events}


async def request_of_token(session: AsyncSession, token: str) -> RequestRow | None:
    query = select(RequestRow).where(RequestRow.lookup_token == token, RequestRow.channel == OPEN311)
    return (await session.exec(query)).first()
