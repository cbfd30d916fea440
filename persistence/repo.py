"""Reads and writes of the read model. Every write the worker makes is idempotent: a retried
activity inserts nothing twice (unique keys with ON CONFLICT DO NOTHING) and a case row only moves
forward (``seq`` guard), so events applied late or twice never roll a case back."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from activities.inputs import CallbackTasks, CaseEvents, VisitInput
from domain.case import CaseState, CaseStatus, Role, TimelineEvent
from domain.deadlines import HandlingFigures
from domain.matching import neighbour_cells
from domain.reference import ReferenceData
from persistence.db import Database
from persistence.models import (
    ApiKeyRow,
    CallbackRow,
    CaseEventRow,
    CaseRow,
    ChannelRow,
    DomainRow,
    MatterTypeRow,
    OutboxRow,
    RequestRow,
    SlipRow,
    SummonsRow,
    UnitRow,
)


def dialect_insert(session: Session, model: type[SQLModel]) -> Any:
    """INSERT with the dialect's ON CONFLICT clauses (PostgreSQL or SQLite)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _upsert(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], key: str) -> None:
    if not rows:
        return
    stmt = dialect_insert(session, model).values(list(rows))
    updates = {c: stmt.excluded[c] for c in rows[0] if c != key}
    session.exec(stmt.on_conflict_do_update(index_elements=[key], set_=updates))


async def sync_reference(db: Database, reference: ReferenceData) -> None:
    """Bring the reference tables in line with the data files (added and changed entries)."""

    def work(session: Session) -> None:
        _upsert(
            session,
            ChannelRow,
            [c.model_dump(include={"code", "name", "name_en", "kind"}) for c in reference.channels.values()],
            "code",
        )
        _upsert(
            session,
            UnitRow,
            [u.model_dump(include={"code", "name", "name_en", "kind"}) for u in reference.units.values()],
            "code",
        )
        _upsert(
            session,
            DomainRow,
            [d.model_dump(include={"code", "name", "name_en"}) for d in reference.domains.values()],
            "code",
        )
        _upsert(
            session,
            MatterTypeRow,
            [
                m.model_dump(include={"code", "name", "name_en", "responsible", "basis", "tier"})
                | {"domain_code": reference.domain_of[code]}
                for code, m in reference.matter_types.items()
            ],
            "code",
        )

    await db.write(work)


# -- intake -----------------------------------------------------------------------------------


def _request_query(channel: str, channel_ref: str) -> Any:
    return (
        select(RequestRow, CaseRow)
        .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
        .where(RequestRow.channel == channel, RequestRow.channel_ref == channel_ref)
    )


async def find_request(session: AsyncSession, channel: str, channel_ref: str) -> tuple[RequestRow, CaseRow] | None:
    row = (await session.exec(_request_query(channel, channel_ref))).first()
    return (row[0], row[1]) if row else None


def merge_candidates(
    session: Session, new: RequestRow, since: datetime, closed_since: datetime, area_wide: tuple[str, ...]
) -> list[Any]:
    """The requests received since ``since`` at a new request's place, of cases open or closed
    since ``closed_since``: in its geo cell and the eight around it, else its grid, else its town
    at its door number (see domain/matching.py: other numbers are other places, unless the matter
    is area-wide). Rows of case_id, content, address, received_at, lat, lon, grid."""
    r = RequestRow
    if new.lat is not None and new.lon is not None:
        place = col(r.geo_cell).in_(neighbour_cells(new.lat, new.lon))
    elif new.grid:
        place = col(r.grid) == new.grid
    elif new.town_code and new.house_number is not None and new.matter_hint not in area_wide:
        # Only an address: a town holds thousands of open cases, a door number a handful.
        place = sa.and_(
            col(r.town_code) == new.town_code,
            sa.or_(
                col(r.house_number) == new.house_number,
                col(r.house_number).is_(None),
                col(r.matter_hint).in_(area_wide),
            ),
        )
    elif new.town_code:
        place = col(r.town_code) == new.town_code
    else:
        return []
    return list(
        session.exec(
            select(r.case_id, r.content, r.address, r.received_at, r.lat, r.lon, r.grid)
            .join(CaseRow, col(CaseRow.id) == col(r.case_id))
            .where(
                place,
                col(r.received_at) >= since,
                col(CaseRow.status) != "merged",
                sa.or_(col(CaseRow.status) != "closed", col(CaseRow.closed_at) >= closed_since),
            )
        ).all()
    )


def earlier_request(session: Session, channel: str, channel_ref: str) -> tuple[RequestRow, CaseRow] | None:
    """The request this channel sent before under this reference, with its case.

    On SQLite writes are serialised, so the look-up settles it; on PostgreSQL a concurrent twin can
    still pass the look-up, and the unique (channel, channel_ref) key stops it with IntegrityError.
    """
    row = session.exec(_request_query(channel, channel_ref)).first()
    return (row[0], row[1]) if row else None


def add_intake(session: Session, case: CaseRow | None, request: RequestRow) -> None:
    """The request, and its new case unless it was merged into an existing one."""
    if case is not None:
        session.add(case)
    session.add(request)
    session.flush()


def move_request(session: Session, request_id: str, case: CaseRow) -> None:
    """A merged request whose case closed before it could join: it opens ``case`` instead."""
    session.add(case)
    session.flush()
    session.exec(
        sa.update(RequestRow)
        .where(col(RequestRow.id) == request_id)
        .values(case_id=case.id, merged_similarity=None, merged_place=None)
    )


# -- the worker's writes ------------------------------------------------------------------------


LEADERSHIP = "city_leadership"
DISCIPLINE_RECORD = "discipline_commission"


def slip_recipients(kind: str, unit: str) -> list[str]:
    """A reminder goes to the unit; supervision and warning slips also to city leadership and the
    discipline commission's record."""
    return [unit] if kind == "reminder" else [unit, LEADERSHIP, DISCIPLINE_RECORD]


async def apply_case_events(
    db: Database, batch: CaseEvents, now: datetime, figures: HandlingFigures | None = None
) -> None:
    state = batch.state

    def work(session: Session) -> None:
        if batch.events:
            session.exec(
                dialect_insert(session, CaseEventRow)
                .values(
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
                            "detail": e.detail,
                        }
                        for e in batch.events
                    ]
                )
                .on_conflict_do_nothing(index_elements=["case_id", "seq"])
            )
        session.exec(
            sa.update(CaseRow)
            .where(col(CaseRow.id) == state.case_id, col(CaseRow.seq) < state.seq)
            .values(
                status=state.status.value,
                tier=state.tier,
                unit_code=state.unit,
                domain_code=state.domain,
                matter_type_code=state.matter_type,
                confidence=state.confidence,
                closed_at=state.closed_at,
                deadline_at=state.deadlines.due_at if state.deadlines else None,
                deadline_provisional=bool(state.deadlines and state.deadlines.provisional),
                overdue=state.overdue,
                replied_at=state.replied_at,
                on_time=figures.on_time if figures else None,
                handling_working_days=figures.working_days if figures else None,
                callback_round=state.callback_round,
                reopened=state.reopened,
                outcome=state.outcome.value if state.status is CaseStatus.closed and state.outcome else None,
                updated_at=now,
                seq=state.seq,
            )
        )
        if touched := {e.detail["summons_id"] for e in batch.events if "summons_id" in e.detail}:
            _record_summonses(session, state, touched)
        for e in batch.events:
            if e.kind == "slip":
                _file_slip(session, state.case_id, e)
            elif e.kind == "callback":
                _answer_callback(session, state.case_id, e)

    await db.write(work)


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


def _file_slip(session: Session, case_id: str, event: TimelineEvent) -> None:
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
    session.exec(
        dialect_insert(session, OutboxRow)
        .values(
            [
                {
                    "dedupe_key": key,
                    "recipient": recipient,
                    "subject": f"{d['kind']} slip for case {case_id}",
                    "body": {"case_id": case_id, **d},
                    "created_at": event.at,
                }
                for recipient in slip_recipients(d["kind"], d["unit"])
            ]
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key", "recipient"])
    )


async def open_callbacks(db: Database, tasks: CallbackTasks, now: datetime) -> None:
    def work(session: Session) -> None:
        session.exec(
            dialect_insert(session, CallbackRow)
            .values(
                [
                    {
                        "case_id": tasks.case_id,
                        "request_id": request_id,
                        "unit_code": tasks.unit,
                        "round": tasks.round,
                        "status": "pending",
                        "created_at": now,
                    }
                    for request_id in tasks.request_ids
                ]
            )
            .on_conflict_do_nothing(index_elements=["case_id", "request_id", "round", "attempt"])
        )

    await db.write(work)


@dataclass(frozen=True)
class VisitTask:
    callback_id: int
    citizen_name: str
    phone: str


async def open_visit(db: Database, visit: VisitInput, gateway: str, now: datetime) -> VisitTask:
    """The attempt's callback row, inserted once however often the activity runs."""

    def work(session: Session) -> VisitTask:
        session.exec(
            dialect_insert(session, CallbackRow)
            .values(
                case_id=visit.case_id,
                request_id=visit.request_id,
                unit_code=visit.unit,
                round=visit.round,
                attempt=visit.attempt,
                due_at=visit.due_at,
                gateway=gateway,
                status="pending",
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["case_id", "request_id", "round", "attempt"])
        )
        callback_id, name, phone = session.exec(
            select(CallbackRow.id, RequestRow.citizen_name, RequestRow.citizen_phone)
            .join(RequestRow, col(RequestRow.id) == col(CallbackRow.request_id))
            .where(
                CallbackRow.case_id == visit.case_id,
                CallbackRow.request_id == visit.request_id,
                CallbackRow.round == visit.round,
                CallbackRow.attempt == visit.attempt,
            )
        ).one()
        assert callback_id is not None
        return VisitTask(callback_id, name, phone)

    return await db.write(work)


# -- reads ----


async def list_callbacks(
    session: AsyncSession, status: str | None, unit: str | None, limit: int, offset: int
) -> tuple[int, list[tuple[CallbackRow, RequestRow]]]:
    """Callback tasks with their requests, the longest due first."""
    conditions = [
        *([col(CallbackRow.status) == status] if status else []),
        *([col(CallbackRow.unit_code) == unit] if unit else []),
    ]
    total = (await session.exec(select(func.count()).select_from(CallbackRow).where(*conditions))).one()
    rows = await session.exec(
        select(CallbackRow, RequestRow)
        .join(RequestRow, col(RequestRow.id) == col(CallbackRow.request_id))
        .where(*conditions)
        .order_by(col(CallbackRow.due_at), col(CallbackRow.id))
        .limit(limit)
        .offset(offset)
    )
    return total, [(c, r) for c, r in rows.all()]


async def get_callback(session: AsyncSession, callback_id: int) -> CallbackRow | None:
    return await session.get(CallbackRow, callback_id)


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


async def list_cases(session: AsyncSession, where: CaseFilter, limit: int, offset: int) -> tuple[int, list[CaseRow]]:
    conditions = [
        column == value
        for column, value in (
            (col(CaseRow.status), where.status),
            (col(CaseRow.tier), where.tier),
            (col(CaseRow.domain_code), where.domain),
            (col(CaseRow.channel), where.channel),
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


# -- API keys -----------------------------------------------------------------------------------


def hash_key(secret: str) -> str:
    # Keys are 32 random bytes, so a plain SHA-256 is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_api_key(db: Database, role: Role, unit: str | None, label: str, now: datetime) -> tuple[str, str]:
    """A new key; returns (key id, secret). Only the hash is stored."""
    key_id = "k_" + secrets.token_hex(6)
    secret = f"ms_{key_id[2:]}_{secrets.token_urlsafe(32)}"
    row = ApiKeyRow(id=key_id, key_hash=hash_key(secret), role=role.value, unit_code=unit, label=label, created_at=now)

    def work(session: Session) -> None:
        session.add(row)

    await db.write(work)
    return key_id, secret


async def find_api_key(db: Database, secret: str) -> ApiKeyRow | None:
    async with db.session() as session:
        return (
            await session.exec(
                select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(secret), col(ApiKeyRow.revoked_at).is_(None))
            )
        ).first()


# -- slips and handling figures -------------------------------------------------------------------


@dataclass(frozen=True)
class SlipFilter:
    unit: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[Any]:
        found = [
            column == value
            for column, value in ((col(SlipRow.unit_code), self.unit), (col(SlipRow.kind), self.kind))
            if value is not None
        ]
        if self.since is not None:
            found.append(col(SlipRow.issued_at) >= self.since)
        if self.until is not None:
            found.append(col(SlipRow.issued_at) < self.until)
        return found


async def list_slips(
    session: AsyncSession, where: SlipFilter, limit: int, offset: int
) -> tuple[dict[str, int], list[SlipRow]]:
    conditions = where.conditions()
    counts = await session.exec(select(SlipRow.kind, func.count()).where(*conditions).group_by(col(SlipRow.kind)))
    rows = await session.exec(
        select(SlipRow)
        .where(*conditions)
        .order_by(col(SlipRow.issued_at).desc(), col(SlipRow.id))
        .limit(limit)
        .offset(offset)
    )
    return dict(counts.all()), list(rows)


@dataclass(frozen=True)
class HandlingRow:
    unit: str | None
    replied: int
    on_time: int
    average_working_days: float | None
    open_overdue: int


def responsible_units(columns: Sequence[Any], *where: Any) -> Any:
    """(unit, *columns) once for each case matching ``where`` and each unit responsible for it:
    the lead unit, and every other unit that responded to a summons on it, which shares the
    responsibility (同责). Each branch carries the case columns asked for, so nothing joins back
    to ``cases`` (the ranking's month over a million cases measured 2–3× faster this way)."""
    lead = select(col(CaseRow.unit_code).label("unit"), *columns).where(col(CaseRow.unit_code).is_not(None), *where)
    summoned = (
        select(col(SummonsRow.unit).label("unit"), *columns)
        .join(CaseRow, col(CaseRow.id) == col(SummonsRow.case_id))
        .where(
            col(SummonsRow.status) == "responded",
            sa.or_(col(CaseRow.unit_code).is_(None), col(SummonsRow.unit) != col(CaseRow.unit_code)),
            *where,
        )
        .distinct()
    )
    return sa.union_all(lead, summoned).subquery()


async def handling_stats(
    session: AsyncSession, since: datetime, until: datetime, unit: str | None
) -> list[HandlingRow]:
    """Per unit, for cases replied in [since, until): how many, how many on time, the average
    working days from receipt; and the unit's open cases that are overdue now. A case counts for
    its lead unit and for each unit that responded to a summons on it."""
    case_id = col(CaseRow.id).label("case_id")
    replied = responsible_units(
        [case_id, col(CaseRow.on_time).label("on_time"), col(CaseRow.handling_working_days).label("days")],
        col(CaseRow.replied_at) >= since,
        col(CaseRow.replied_at) < until,
    )
    overdue_open = responsible_units([case_id], col(CaseRow.overdue).is_(True), col(CaseRow.replied_at).is_(None))
    on_time = func.sum(sa.case((replied.c.on_time.is_(True), 1), else_=0))
    handled = await session.exec(
        select(replied.c.unit, func.count(), on_time, func.avg(replied.c.days))
        .where(*([replied.c.unit == unit] if unit is not None else []))
        .group_by(replied.c.unit)
    )
    late = dict(
        (
            await session.exec(
                select(overdue_open.c.unit, func.count())
                .where(*([overdue_open.c.unit == unit] if unit is not None else []))
                .group_by(overdue_open.c.unit)
            )
        ).all()
    )
    rows = {
        u: HandlingRow(u, n, int(t or 0), float(a) if a is not None else None, late.get(u, 0))
        for u, n, t, a in handled.all()
    }
    for u, n in late.items():
        rows.setdefault(u, HandlingRow(u, 0, 0, None, n))
    return sorted(rows.values(), key=lambda r: r.unit or "")


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


async def pending_notifications(session: AsyncSession, limit: int) -> list[OutboxRow]:
    rows = await session.exec(
        select(OutboxRow).where(col(OutboxRow.sent_at).is_(None)).order_by(col(OutboxRow.id)).limit(limit)
    )
    return list(rows)


async def mark_notifications_sent(db: Database, ids: list[int], at: datetime) -> None:
    def work(session: Session) -> None:
        session.exec(sa.update(OutboxRow).where(col(OutboxRow.id).in_(ids)).values(sent_at=at))

    await db.write(work)


async def is_summoned(session: AsyncSession, case_id: str, unit: str) -> bool:
    found = await session.exec(
        select(SummonsRow.id).where(SummonsRow.case_id == case_id, SummonsRow.unit == unit).limit(1)
    )
    return found.first() is not None


async def case_summonses(session: AsyncSession, case_id: str) -> list[SummonsRow]:
    rows = await session.exec(select(SummonsRow).where(SummonsRow.case_id == case_id).order_by(col(SummonsRow.id)))
    return list(rows)


@dataclass(frozen=True)
class WhistleFigures:
    unit: str
    summoned: int
    responded: int
    on_time: int
    average_response_seconds: float | None
    average_speed: float | None
    average_quality: float | None


async def list_whistles(
    session: AsyncSession, unit: str | None, since: datetime, until: datetime, limit: int, offset: int
) -> tuple[list[WhistleFigures], list[SummonsRow]]:
    """Summonses whistled in [since, until) where ``unit`` is summoned or leads, and per summoned
    unit: response count, on time (by the response deadline), average response time and ratings."""
    conditions = [col(SummonsRow.whistled_at) >= since, col(SummonsRow.whistled_at) < until]
    if unit is not None:
        conditions.append(sa.or_(col(SummonsRow.unit) == unit, col(SummonsRow.lead_unit) == unit))
    responded = col(SummonsRow.status) == "responded"
    seconds = (
        func.extract("epoch", col(SummonsRow.responded_at) - col(SummonsRow.whistled_at))
        if session.get_bind().dialect.name == "postgresql"
        else (func.julianday(col(SummonsRow.responded_at)) - func.julianday(col(SummonsRow.whistled_at))) * 86400
    )
    figures = await session.exec(
        select(
            SummonsRow.unit,
            func.count(),
            func.sum(sa.case((responded, 1), else_=0)),
            func.sum(
                sa.case((sa.and_(responded, col(SummonsRow.responded_at) <= col(SummonsRow.respond_by)), 1), else_=0)
            ),
            func.avg(sa.case((responded, seconds), else_=None)),
            func.avg(SummonsRow.speed),
            func.avg(SummonsRow.quality),
        )
        .where(*conditions)
        .group_by(col(SummonsRow.unit))
        .order_by(col(SummonsRow.unit))
    )
    rows = await session.exec(
        select(SummonsRow)
        .where(*conditions)
        .order_by(col(SummonsRow.whistled_at).desc(), col(SummonsRow.id))
        .limit(limit)
        .offset(offset)
    )
    return [
        WhistleFigures(u, n, int(r or 0), int(t or 0), _float(s), _float(sp), _float(q))
        for u, n, r, t, s, sp, q in figures.all()
    ], list(rows)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


async def city_handling(session: AsyncSession, since: datetime, until: datetime) -> HandlingRow:
    """The city's figures: each case once, whoever shared it."""
    replied, on_time, days = (
        await session.exec(
            select(
                func.count(),
                func.sum(sa.case((col(CaseRow.on_time).is_(True), 1), else_=0)),
                func.avg(CaseRow.handling_working_days),
            ).where(col(CaseRow.replied_at) >= since, col(CaseRow.replied_at) < until)
        )
    ).one()
    overdue = (
        await session.exec(
            select(func.count())
            .select_from(CaseRow)
            .where(col(CaseRow.overdue).is_(True), col(CaseRow.replied_at).is_(None))
        )
    ).one()
    return HandlingRow(None, replied, int(on_time or 0), _float(days), overdue)
