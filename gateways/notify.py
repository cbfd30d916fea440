"""Delivering the notification outbox: slips to units, city leadership and the discipline
commission's record. Rows are written in the same transaction as the slip they announce; the
worker delivers the pending ones through a notifier: the log by default, or a webhook.

Delivery is at least once: a crash between sending and marking sends again, and two workers may
both send a row. Each notification carries its ``dedupe_key`` so that the receiver can drop repeats.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Protocol

import httpx
import structlog

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
    """Send the oldest pending notifications; stop at the first failure (tried again next round)."""
    async with db.session() as session:
        pending = await outbox.pending_notifications(session, limit)
    sent: list[int] = []
    try:
        for item in pending:
            await notifier.send(item)
            assert item.id is not None
            sent.append(item.id)
    except Exception as exc:  # noqa: BLE001  (a notifier's failure must not stop the worker)
        log.warning("notification not delivered; will retry", error=str(exc))
    if sent:
        now = datetime.now(UTC)
        await db.write(lambda s: outbox.mark_notifications_sent(s, sent, now))
    return len(sent)


async def deliver_forever(db: Database, notifier: Notifier, interval: float) -> None:
    while True:
        while await deliver_pending(db, notifier):
            pass
        await asyncio.sleep(interval)
