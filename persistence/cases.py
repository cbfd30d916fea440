"""Cases in the read model: the worker's write of each step (idempotent: a retried activity inserts\nnothing twice, and a case row only moves forward by ``seq``), and the reads of cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.attachments import files_of_event
from domain.case import QUEUED, CaseState, CaseStatus, TimelineEvent
from domain.deadlines import HandlingFigures
from domain.events import concerned_units, event_message
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationPolicy
from domain.texts import TextKind, texts_of_event
from persistence import attachments, audit, intake, outbox, texts
from persistence.models import (
    CallbackRow,
    CaseEventRow,
    CaseRow,
    MergeCorrectionRow,
    RequestRow,
    SlipRow,
    SummonsRow,
)
from persistence.outbox import add_notifications
from persistence.sql import dialect_insert, insert_many


def record_case_events(
    session: Session,
    state: CaseState,
    events: list[TimelineEvent],
    now: datetime,
    figures: HandlingFigures | None = None,
    notifications: NotificationPolicy = DEFAULT_NOTIFICATIONS,
) -> None:
    """A case's new timeline events and its row as the state after them; each event onto the
    outbox's event stream, and the texts it makes to citizens onto its text stream; a slip is filed
    and its notifications written to the outbox, one per recipient ``notifications`` lists for its
    kind."""
    clock = state.citizen_clock
    if events:
        summoned = [s.unit for s in state.summonses.values()]
        outbox.add_events(
            session,
            [
                event_message(state.case_id, e.status, state.unit, concerned_units(state.unit, summoned, e), e)
                for e in events
            ],
            now,
        )
        insert_many(
            session,
            dialect_insert(session, CaseEventRow).on_conflict_do_nothing(index_elements=["case_id", "seq"]),
            [
                {
                    "case_id": state.case_id,
                    "seq": e.seq,
                    "at": e.at,
                    "kind": e.kind,
                    "status": e.status.value,
                    "actor_role": e.actor.role.value,
                    "actor_unit": e.actor.unit,
                    "actor_key_id": e.actor.key_id,
                    "actor_person": e.actor.person,
                    "detail": e.detail,
                }
                for e in events
            ],
        )
        audit.chain_case_events(session, state.case_id)
        for e in events:
            if made := texts_of_event(e.kind, e.detail, state.requests):
                told = any(kind is TextKind.reply for kind, _ in made)
                reply = e.detail.get("result") or (_last_reply(session, state.case_id) if told else None)
                texts.add_texts(session, state.case_id, e.seq, made, reply, now)
    table = CaseRow.__table__
    session.connection().execute(  # Core: no ORM synchronisation of a row this session never loaded
        sa.update(table)
        .where(table.c.id == state.case_id, table.c.seq < state.seq)
        .values(
            status=state.status.value,
            tier=state.tier,
            unit_code=state.unit,
            domain_code=state.domain,
            matter_type_code=state.matter_type,
            confidence=state.confidence,
            kind=state.kind.value if state.kind else None,
            first_contact=state.first_contact,
            knowledge_entry_id=state.knowledge_entry,
            resolved_first_time=state.resolved_first_time,
            classifier_model=state.classifier_model,
            closed_at=state.closed_at,
            deadline_at=state.deadlines.due_at if state.deadlines else None,
            deadline_provisional=bool(state.deadlines and state.deadlines.provisional),
            overdue=state.overdue,
            replied_at=state.replied_at,
            on_time=figures.on_time if figures else None,
            citizen_due_at=clock.due_at if clock else None,
            dispatch_by=clock.dispatch_by if clock and state.status in QUEUED else None,
            citizen_on_time=(state.replied_at <= clock.due_at) if clock and state.replied_at else None,
            handling_working_days=figures.working_days if figures else None,
            callback_round=state.callback_round,
            reopened=state.reopened,
            outcome=state.outcome.value if state.status is CaseStatus.closed and state.outcome else None,
            updated_at=now,
            seq=state.seq,
        )
    )
    if taken := [e.detail["request_id"] for e in events if e.kind in ("received", "request_joined")]:
        intake.recorded(session, taken)
    if touched := {e.detail["summons_id"] for e in events if "summons_id" in e.detail}:
        _record_summonses(session, state, touched)
    for e in events:
        if e.kind == "slip":
            _file_slip(session, state.case_id, e, notifications)
        elif e.kind == "callback":
            _answer_callback(session, state.case_id, e)
        elif files := files_of_event(e.kind, e.detail):
            attachments.attach_to_event(session, state.case_id, e.seq, *files)


def _last_reply(session: Session, case_id: str) -> str | None:
    """The unit's latest reply on the case (what a late joiner is told)."""
    row = session.exec(
        select(CaseEventRow.detail)
        .where(CaseEventRow.case_id == case_id, CaseEventRow.kind == "replied")
        .order_by(col(CaseEventRow.seq).desc())
        .limit(1)
    ).first()
    return row.get("result") if row else None


def _answer_callback(session: Session, case_id: str, event: TimelineEvent) -> None:
    d = event.detail
    # Cases from before visits had attempts carry no round or attempt: their one open task.
    attempt = (
        [col(CallbackRow.round) == int(d["round"]), col(CallbackRow.attempt) == int(d["attempt"])]
        if "attempt" in d
        else []
    )
    session.exec(
        sa.update(CallbackRow)
        .where(
            col(CallbackRow.case_id) == case_id,
            col(CallbackRow.request_id) == d["request_id"],
            col(CallbackRow.status) == "pending",
            *attempt,
        )
        .values(
            status="answered",
            answer=d["answer"],
            resolution=d.get("resolution"),
            note=d.get("note"),
            final=d.get("final", "yes") == "yes",
            answered_at=event.at,
            agent_key_id=event.actor.key_id,
        )
    )


def _record_summonses(session: Session, state: CaseState, summons_ids: set[str]) -> None:
    """Upsert the touched summonses from the state; like the case row, a row only moves forward
    (``seq``), so writes that land out of order never undo a later step."""
    rows = [
        state.summonses[sid].model_dump(exclude={"id"})
        | {"case_id": state.case_id, "summons_id": sid, "lead_unit": state.unit or "", "seq": state.seq}
        for sid in sorted(summons_ids)
    ]
    stmt = dialect_insert(session, SummonsRow).values(rows)
    session.exec(
        stmt.on_conflict_do_update(
            index_elements=["case_id", "summons_id"],
            set_={c: stmt.excluded[c] for c in rows[0] if c not in ("case_id", "summons_id")},
            where=col(SummonsRow.seq) < stmt.excluded.seq,
        )
    )


def _file_slip(session: Session, case_id: str, event: TimelineEvent, notifications: NotificationPolicy) -> None:
    d = event.detail
    session.exec(
        dialect_insert(session, SlipRow)
        .values(
            case_id=case_id,
            unit_code=d["unit"],
            round=int(d["round"]),
            kind=d["kind"],
            trigger=d["trigger"],
            reason=d["reason"],
            due_at=datetime.fromisoformat(d["due_at"]),
            issued_at=event.at,
        )
        .on_conflict_do_nothing(index_elements=["case_id", "round", "trigger"])
    )
    key = f"slip:{case_id}:{d['round']}:{d['trigger']}"
    recipients = notifications.recipients(d["kind"], d["unit"])
    add_notifications(
        session, key, recipients, f"{d['kind']} slip for case {case_id}", {"case_id": case_id, **d}, event.at
    )


@dataclass(frozen=True)
class CaseFile:
    case: CaseRow
    requests: list[RequestRow]
    events: list[CaseEventRow]
    callbacks: list[CallbackRow]
    summonses: list[SummonsRow]


async def get_case(session: AsyncSession, case_id: str) -> CaseFile | None:
    case = await session.get(CaseRow, case_id)
    if case is None:
        return None
    requests = await session.exec(
        select(RequestRow).where(RequestRow.case_id == case_id).order_by(col(RequestRow.received_at))
    )
    events = await session.exec(
        select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(col(CaseEventRow.seq))
    )
    callbacks = await session.exec(
        select(CallbackRow).where(CallbackRow.case_id == case_id).order_by(col(CallbackRow.id))
    )
    return CaseFile(case, list(requests), list(events), list(callbacks), await case_summonses(session, case_id))


@dataclass(frozen=True)
class CaseFilter:
    status: CaseStatus | None = None
    unit: str | None = None
    tier: str | None = None
    domain: str | None = None
    channel: str | None = None
    kind: str | None = None


async def list_cases(session: AsyncSession, where: CaseFilter, limit: int, offset: int) -> tuple[int, list[CaseRow]]:
    conditions = [
        column == value
        for column, value in (
            (col(CaseRow.status), where.status),
            (col(CaseRow.tier), where.tier),
            (col(CaseRow.domain_code), where.domain),
            (col(CaseRow.channel), where.channel),
            (col(CaseRow.kind), where.kind),
        )
        if value is not None
    ]
    if where.unit is not None:
        # A unit's cases: those it leads and those it was summoned to (同责).
        summoned = select(SummonsRow.case_id).where(SummonsRow.unit == where.unit)
        conditions.append(sa.or_(col(CaseRow.unit_code) == where.unit, col(CaseRow.id).in_(summoned)))
    total = (await session.exec(select(func.count()).select_from(CaseRow).where(*conditions))).one()
    rows = await session.exec(
        select(CaseRow)
        .where(*conditions)
        .order_by(col(CaseRow.received_at).desc(), col(CaseRow.id))
        .limit(limit)
        .offset(offset)
    )
    return total, list(rows)


PROVISIONAL_OPEN = (
    col(CaseRow.deadline_provisional).is_(True),
    col(CaseRow.replied_at).is_(None),
    col(CaseRow.status) != "merged",  # its workflow has ended; the case it joined holds its deadline
)


async def provisional_open_cases(session: AsyncSession, years: frozenset[int]) -> list[str]:
    """Open cases whose provisional deadline falls in one of ``years`` (calendar files now loaded)."""
    rows = await session.exec(select(CaseRow.id, CaseRow.deadline_at).where(*PROVISIONAL_OPEN))
    return [case_id for case_id, deadline in rows.all() if deadline is not None and deadline.year in years]


async def count_provisional_open(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(CaseRow).where(*PROVISIONAL_OPEN))).one()


async def case_summonses(session: AsyncSession, case_id: str) -> list[SummonsRow]:
    rows = await session.exec(select(SummonsRow).where(SummonsRow.case_id == case_id).order_by(col(SummonsRow.id)))
    return list(rows)


@dataclass(frozen=True)
class RequestWithCase:
    request: RequestRow
    case: CaseRow
    events: list[CaseEventRow]


async def request_with_case(
    session: AsyncSession, request_id: str | None, token: str | None = None
) -> RequestWithCase | None:
    """A request (by its id, or by its look-up token), the case it belongs to now, and that case's
    timeline: a citizen's look-up."""
    if request_id is not None:
        request = await session.get(RequestRow, request_id)
    else:
        request = (await session.exec(select(RequestRow).where(RequestRow.lookup_token == token))).first()
    if request is None:
        return None
    case = await session.get(CaseRow, request.case_id)
    if case is None:
        return None
    events = await session.exec(
        select(CaseEventRow).where(CaseEventRow.case_id == case.id).order_by(col(CaseEventRow.seq))
    )
    return RequestWithCase(request, case, list(events))


async def case_slips(session: AsyncSession, case_id: str) -> list[SlipRow]:
    rows = await session.exec(
        select(SlipRow).where(SlipRow.case_id == case_id).order_by(col(SlipRow.issued_at), col(SlipRow.id))
    )
    return list(rows)


async def case_corrections(session: AsyncSession, case_id: str) -> list[MergeCorrectionRow]:
    """The splits and merges that moved a request into or out of the case."""
    rows = await session.exec(
        select(MergeCorrectionRow)
        .where(sa.or_(col(MergeCorrectionRow.from_case_id) == case_id, col(MergeCorrectionRow.to_case_id) == case_id))
        .order_by(col(MergeCorrectionRow.at), col(MergeCorrectionRow.id))
    )
    return list(rows)


async def with_first_requests(session: AsyncSession, cases: list[CaseRow]) -> list[tuple[CaseRow, RequestRow | None]]:
    """Each case with its first request (None for a case that has none left)."""
    first: dict[str, RequestRow] = {}
    if cases:
        for request in await session.exec(
            select(RequestRow)
            .where(col(RequestRow.case_id).in_([c.id for c in cases]))
            .order_by(col(RequestRow.received_at), col(RequestRow.id))
        ):
            first.setdefault(request.case_id, request)
    return [(c, first.get(c.id)) for c in cases]
