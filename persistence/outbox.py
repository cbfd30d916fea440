"""The outbox: what Minsheng tells the outside, written in the transaction of what it announces and
delivered after. Two streams: notifications (slips, notices) to their recipients, and the case
events, published in order (each given its ``position``) for the subscriptions and the live
stream. The record of each delivery: one row per outbox row and target, however many attempts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.notifications import NotificationKind, Recipient
from persistence.models import CaseEventRow, DeliveryRow, OutboxRow
from persistence.sql import dialect_insert, insert_many

LEADERSHIP = Recipient.city_leadership.value
DISCIPLINE_RECORD = Recipient.discipline_commission.value
NOTIFICATIONS = "notification"
EVENTS = "event"
SUBSCRIBERS = "subscribers"
"""The recipient of an event: whichever subscriptions want it."""
PUBLISH_LOCK = 0x4D53_4556
"""PostgreSQL advisory lock taken while positions are given, so that they commit in order."""


def notification_kind(item: OutboxRow) -> str:
    """What an outbox row announces: a slip's kind, an accountability step, or a typical inaction."""
    for field in ("kind", "step"):
        value = item.body.get(field)
        if value is not None and value in NotificationKind.__members__:
            return str(value)
    return item.dedupe_key.split(":", 1)[0][:32]


def add_notifications(
    session: Session, key: str, recipients: list[str], subject: str, body: dict[str, str], at: datetime
) -> None:
    """One notification per recipient, once per ``key`` (a repeated write adds nothing)."""
    add_once(
        session,
        [{"dedupe_key": key, "recipient": r, "subject": subject, "body": body, "created_at": at} for r in recipients],
    )


def add_once(session: Session, rows: list[dict[str, Any]]) -> None:
    """Outbox rows, each once per (dedupe key, recipient): a repeated or resumed write adds none."""
    insert_many(
        session,
        dialect_insert(session, OutboxRow).on_conflict_do_nothing(index_elements=["dedupe_key", "recipient"]),
        rows,
    )


async def pending_notifications(session: AsyncSession, limit: int) -> list[OutboxRow]:
    rows = await session.exec(
        select(OutboxRow)
        .where(col(OutboxRow.sent_at).is_(None), OutboxRow.stream == NOTIFICATIONS)
        .order_by(col(OutboxRow.id))
        .limit(limit)
    )
    return list(rows)


def mark_notifications_sent(session: Session, ids: list[int], at: datetime) -> None:
    session.exec(sa.update(OutboxRow).where(col(OutboxRow.id).in_(ids)).values(sent_at=at))


def record_delivery(
    session: Session,
    item: OutboxRow,
    at: datetime,
    error: str | None = None,
    *,
    target: str = "",
    status_code: int | None = None,
    latency_ms: float | None = None,
    skipped: str | None = None,
) -> None:
    """One attempt at delivering ``item`` to ``target`` (the notification webhook ``""``, a
    subscription, the SMS platform ``texts``), or why it was ``skipped`` (never sent): its row is
    created, or its attempts counted and outcome updated. A delivered row stays delivered (another
    worker's failing repeat does not undo it), and keeps the time it was first delivered."""
    assert item.id is not None
    delivered = error is None and skipped is None
    error = skipped or error
    stmt = dialect_insert(session, DeliveryRow).values(
        outbox_id=item.id,
        target=target,
        case_id=item.body.get("case_id"),
        recipient=item.recipient,
        kind=item.subject if item.stream != NOTIFICATIONS else notification_kind(item),
        outcome="delivered" if delivered else "skipped" if skipped else "failed",
        attempts=1,
        status_code=status_code,
        latency_ms=latency_ms,
        error=None if error is None else error[:500],
        first_attempt_at=at,
        last_attempt_at=at,
        delivered_at=at if delivered else None,
    )
    was_delivered = col(DeliveryRow.outcome) == "delivered"
    session.exec(
        stmt.on_conflict_do_update(
            index_elements=["outbox_id", "target"],
            set_={
                "attempts": col(DeliveryRow.attempts) + 1,
                "last_attempt_at": stmt.excluded.last_attempt_at,
                "status_code": stmt.excluded.status_code,
                "latency_ms": stmt.excluded.latency_ms,
                "outcome": sa.case((was_delivered, "delivered"), else_=stmt.excluded.outcome),
                "error": sa.case((was_delivered, None), else_=stmt.excluded.error),
                "delivered_at": sa.func.coalesce(col(DeliveryRow.delivered_at), stmt.excluded.delivered_at),
            },
        )
    )


async def deliveries_of_case(session: AsyncSession, case_id: str) -> list[DeliveryRow]:
    rows = await session.exec(
        select(DeliveryRow)
        .where(DeliveryRow.case_id == case_id, DeliveryRow.target == "")
        .order_by(col(DeliveryRow.outbox_id))
    )
    return list(rows)


def event_key(case_id: str, seq: int) -> str:
    return f"event:{case_id}:{seq}"


def add_events(session: Session, messages: list[dict[str, Any]], now: datetime) -> None:
    """Case events (``domain.events.event_message``) onto the event stream; a retried write adds none."""
    add_once(
        session,
        [
            {
                "stream": EVENTS,
                "dedupe_key": event_key(m["case_id"], m["seq"]),
                "recipient": SUBSCRIBERS,
                "subject": m["kind"],
                "body": m,
                "created_at": now,
            }
            for m in messages
        ],
    )


UNPUBLISHED = (OutboxRow.stream == EVENTS, col(OutboxRow.sent_at).is_(None))


async def has_unpublished(session: AsyncSession) -> bool:
    return (await session.exec(select(OutboxRow.id).where(*UNPUBLISHED).limit(1))).first() is not None


def publish_events(session: Session, now: datetime, order_wait: timedelta, limit: int = 500) -> int:
    """Give the waiting events their positions, in order per case; returns how many.

    A case's events may be written out of order (an update's write beside the main loop's), so an
    event waits until the one before it in its case is out: published, or recorded before events
    were published (no outbox row). One that waits longer than ``order_wait`` goes anyway, so a
    write that never comes does not hold its case back for ever. Positions are given under a lock
    (on SQLite, writes are one at a time already), so they commit in the order they count."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(sa.select(sa.func.pg_advisory_xact_lock(PUBLISH_LOCK)))
    rows = list(session.exec(select(OutboxRow).where(*UNPUBLISHED).order_by(col(OutboxRow.id)).limit(limit)))
    if not rows:
        return 0
    by_case: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_case[row.body["case_id"]].append(row)
    for waiting in by_case.values():
        waiting.sort(key=lambda r: int(r.body["seq"]))
    before = {
        (case_id, int(waiting[0].body["seq"]) - 1) for case_id, waiting in by_case.items() if waiting[0].body["seq"] > 1
    }
    out = _out_already(session, before)
    ready: dict[str, list[OutboxRow]] = {}
    for case_id, waiting in by_case.items():
        first = int(waiting[0].body["seq"])
        if first > 1 and (case_id, first - 1) not in out and now - waiting[0].created_at < order_wait:
            continue
        run = [r for i, r in enumerate(waiting) if int(r.body["seq"]) == first + i]
        ready[case_id] = run
    # Publication follows the order of writing across cases, and the seq within each case.
    slots = sorted((r for run in ready.values() for r in run), key=lambda r: r.id or 0)
    if not slots:
        return 0
    queues = {case_id: iter(run) for case_id, run in ready.items()}
    last = session.exec(select(sa.func.max(OutboxRow.position))).one() or 0
    # One statement for all (executemany), past the ORM: its per-row update looked each row up
    # in the session again, the delivery's largest cost.
    table = OutboxRow.__table__
    session.connection().execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values(position=sa.bindparam("new_position"), sent_at=now),
        [
            {"row_id": next(queues[slot.body["case_id"]]).id, "new_position": last + offset}
            for offset, slot in enumerate(slots, start=1)
        ],
    )
    return len(slots)


def _out_already(session: Session, events: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """Of these (case, seq), those published, or recorded with no outbox row (before publishing)."""
    if not events:
        return set()
    keys = {event_key(case_id, seq): (case_id, seq) for case_id, seq in events}
    in_outbox = dict(
        session.exec(select(OutboxRow.dedupe_key, OutboxRow.position).where(col(OutboxRow.dedupe_key).in_(keys))).all()
    )
    published = {keys[k] for k, position in in_outbox.items() if position is not None}
    elsewhere = [keys[k] for k in keys if k not in in_outbox]
    if elsewhere:
        pairs = sa.tuple_(col(CaseEventRow.case_id), col(CaseEventRow.seq))
        recorded = session.exec(select(CaseEventRow.case_id, CaseEventRow.seq).where(pairs.in_(elsewhere))).all()
        published |= {(case_id, seq) for case_id, seq in recorded}
    return published


async def events_after(session: AsyncSession, position: int, limit: int) -> list[OutboxRow]:
    """Published events after ``position``, in order."""
    rows = await session.exec(
        select(OutboxRow)
        .where(OutboxRow.stream == EVENTS, col(OutboxRow.position) > position)
        .order_by(col(OutboxRow.position))
        .limit(limit)
    )
    return list(rows)


async def last_position(session: AsyncSession) -> int:
    return (await session.exec(select(sa.func.max(OutboxRow.position)))).one() or 0


async def events_by_id(session: AsyncSession, ids: list[int]) -> list[OutboxRow]:
    return list(await session.exec(select(OutboxRow).where(col(OutboxRow.id).in_(ids))))
