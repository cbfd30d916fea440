"""Texts to citizens: written to the outbox's text stream from the timeline, sent by the worker
(``activities/events.py``); and the phones that opted out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.texts import TextKind
from persistence.models import OutboxRow, RequestRow, TextOptOutRow
from persistence.outbox import EVENTS, add_once, event_key
from persistence.sql import dialect_insert

TEXTS = "text"


def add_texts(
    session: Session, case_id: str, seq: int, texts: list[tuple[TextKind, str]], reply: str | None, now: datetime
) -> None:
    """The texts one timeline event (``case_id``, ``seq``) makes; a retried write adds none."""
    add_once(
        session,
        [
            {
                "stream": TEXTS,
                "dedupe_key": f"text:{case_id}:{seq}:{kind.value}",
                "recipient": f"citizen:{request_id}",
                "subject": kind.value,
                "body": {"case_id": case_id, "request_id": request_id, "kind": kind.value}
                | ({"reply": reply} if kind is TextKind.reply and reply else {}),
                "created_at": now,
            }
            for kind, request_id in texts
        ],
    )


async def due_texts(session: AsyncSession, now: datetime, limit: int) -> list[tuple[OutboxRow, RequestRow | None]]:
    """Texts not yet sent and not held past ``now``, each with its request, in the order their
    events went out on the event stream: a text waits until its event is published, which is in
    order per case. A case records a reply and the callbacks planned after it in two writes that
    may commit in either order, and the citizen hears of the reply before the visit's notice."""
    rows = list(
        await session.exec(
            select(OutboxRow)
            .where(
                OutboxRow.stream == TEXTS,
                col(OutboxRow.sent_at).is_(None),
                sa.or_(col(OutboxRow.not_before).is_(None), col(OutboxRow.not_before) <= now),
            )
            .order_by(col(OutboxRow.id))
            .limit(limit)
        )
    )
    rows = await _in_event_order(session, rows)
    wanted = {r.body["request_id"] for r in rows}
    requests = {r.id: r for r in await session.exec(select(RequestRow).where(col(RequestRow.id).in_(wanted)))}
    return [(r, requests.get(r.body["request_id"])) for r in rows]


async def _in_event_order(session: AsyncSession, texts: list[OutboxRow]) -> list[OutboxRow]:
    """``texts`` whose event is published (or was recorded before events were: no outbox row), by
    the event's position."""
    keys = {_event_of(t) for t in texts}
    found = await session.exec(
        select(OutboxRow.dedupe_key, OutboxRow.position).where(
            OutboxRow.stream == EVENTS, col(OutboxRow.dedupe_key).in_(keys)
        )
    )
    positions = dict(found.all())
    out = [t for t in texts if _event_of(t) not in positions or positions[_event_of(t)] is not None]
    return sorted(out, key=lambda t: (positions.get(_event_of(t)) or 0, t.id or 0))


def _event_of(text: OutboxRow) -> str:
    """The key of the timeline event that made ``text`` (its own key: ``text:<case>:<seq>:<kind>``)."""
    _, case_id, seq, _ = text.dedupe_key.split(":")
    return event_key(case_id, int(seq))


async def opted_out(session: AsyncSession, phones: list[str]) -> set[str]:
    rows = await session.exec(select(TextOptOutRow.phone).where(col(TextOptOutRow.phone).in_(phones)))
    return set(rows)


def hold_text(session: Session, outbox_id: int, until: datetime) -> None:
    session.exec(sa.update(OutboxRow).where(col(OutboxRow.id) == outbox_id).values(not_before=until))


def mark_sent(session: Session, outbox_id: int, at: datetime) -> None:
    session.exec(sa.update(OutboxRow).where(col(OutboxRow.id) == outbox_id).values(sent_at=at))


def set_opt_out(session: Session, phone: str, out: bool, now: datetime) -> None:
    """Opt a phone out of texts (``out``), or back in."""
    if out:
        session.exec(
            dialect_insert(session, TextOptOutRow)
            .values(phone=phone, opted_out_at=now)
            .on_conflict_do_nothing(index_elements=["phone"])
        )
    else:
        session.exec(sa.delete(TextOptOutRow).where(col(TextOptOutRow.phone) == phone))
