"""Texts to citizens: written to the outbox's text stream from the timeline, sent by the worker
(``activities/events.py``); and the phones that opted out."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.texts import TextKind
from persistence.models import OutboxRow, RequestRow, TextOptOutRow
from persistence.sql import dialect_insert

TEXTS = "text"


def add_texts(
    session: Session, case_id: str, seq: int, texts: list[tuple[TextKind, str]], reply: str | None, now: datetime
) -> None:
    """The texts one timeline event (``case_id``, ``seq``) makes; a retried write adds none."""
    if not texts:
        return
    session.exec(
        dialect_insert(session, OutboxRow)
        .values(
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
            ]
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key", "recipient"])
    )


async def due_texts(session: AsyncSession, now: datetime, limit: int) -> list[tuple[OutboxRow, RequestRow | None]]:
    """Texts not yet sent and not held past ``now``, oldest first, each with its request."""
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
    wanted = {r.body["request_id"] for r in rows}
    requests = {r.id: r for r in await session.exec(select(RequestRow).where(col(RequestRow.id).in_(wanted)))}
    return [(r, requests.get(r.body["request_id"])) for r in rows]


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
