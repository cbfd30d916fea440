"""Delivering the notification outbox: slips, accountability and typical inaction notices to units,
their heads, city leadership and the discipline commission's record (``config/notifications.yaml``).
Rows are written in the same transaction as what they announce; the worker delivers the pending
ones through a notifier: the log by default, or a webhook.

Delivery is at least once: a crash between sending and marking sends again, and two workers may
both send a row. Each notification carries its ``dedupe_key`` so that the receiver can drop repeats.
Each attempt is recorded in ``deliveries``, one row per outbox row (notification and recipient).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

import httpx
import structlog
from sqlmodel import Session

from persistence import outbox
from persistence.db import Database
from persistence.models import OutboxRow

log = structlog.get_logger(__name__)


class Notifier(Protocol):
    async def send(self, item: OutboxRow) -> None: ...


class LogNotifier:
    """The default: one log line per notification, with the case and the unit."""

    async def send(self, item: OutboxRow) -> None:
        log.warning(
            "notification",
            recipient=item.recipient,
            subject=item.subject,
            case_id=item.body.get("case_id"),
            unit=item.body.get("unit"),
            dedupe_key=item.dedupe_key,
        )


class WebhookNotifier:
    """POSTs each notification as JSON; anything but a 2xx answer is retried on the next round."""

    def __init__(self, url: str, timeout: float = 10.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self.client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def send(self, item: OutboxRow) -> None:
        response = await self.client.post(
            self.url,
            json={
                "dedupe_key": item.dedupe_key,
                "recipient": item.recipient,
                "subject": item.subject,
                "body": item.body,
                "created_at": item.created_at.isoformat(),
            },
        )
        response.raise_for_status()


async def deliver_pending(db: Database, notifier: Notifier, limit: int = 100) -> int:
    """Send the oldest pending notifications; stop at the first failure (tried again next round).
    Each attempt is recorded against its outbox row (recipient, kind, time, outcome) in the
    transaction that marks the sent rows, so a retry updates that record and never adds one."""
    async with db.session() as session:
        pending = await outbox.pending_notifications(session, limit)
    sent: list[OutboxRow] = []
    failed: tuple[OutboxRow, str] | None = None
    for item in pending:
        try:
            await notifier.send(item)
        except Exception as exc:  # noqa: BLE001  (a notifier's failure must not stop the worker)
            log.warning("notification not delivered; will retry", recipient=item.recipient, error=str(exc))
            failed = (item, f"{type(exc).__name__}: {exc}")
            break
        sent.append(item)
    if sent or failed:
        now = datetime.now(UTC)

        def record(session: Session) -> None:
            for item in sent:
                outbox.record_delivery(session, item, now)
            if failed:
                outbox.record_delivery(session, failed[0], now, failed[1])
            outbox.mark_notifications_sent(session, [item.id for item in sent if item.id is not None], now)

        await db.write(record)
    return len(sent)


async def deliver_forever(db: Database, notifier: Notifier, interval: float) -> None:
    while True:
        while await deliver_pending(db, notifier):
            pass
        await asyncio.sleep(interval)
