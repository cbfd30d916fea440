"""Delivering the outbox. ``Webhook`` is the one way Minsheng POSTs to the outside: one attempt,
signed when there is a secret (``domain.events.sign``), timed, its answer kept. Notifications
(slips, accountability and typical inaction notices to units, their heads, city leadership and the
discipline commission's record, ``config/notifications.yaml``) go through a notifier: the log by
default, or the notification webhook; case events go to their subscriptions the same way
(``activities/events.py``).

Delivery is at least once: a crash between sending and marking sends again, and two workers may
both send a row. Each notification carries its ``dedupe_key`` so that the receiver can drop repeats.
Each attempt is recorded in ``deliveries``, one row per outbox row (notification and recipient).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import httpx
import structlog
from sqlmodel import Session

from domain.events import EVENT_ID_HEADER, KIND_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
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


@dataclass(frozen=True)
class Attempt:
    """One POST: the receiver's status (None when it did not answer), how long it took, and the
    error when it was not a 2xx."""

    status_code: int | None
    latency_ms: float
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.error is None


class Webhook:
    """POSTs bodies to one URL. With a secret each carries ``Minsheng-Signature`` (HMAC-SHA256 of
    ``<timestamp>.<body>``), ``Minsheng-Timestamp`` and ``Minsheng-Event-Id``, as docs/api.md says."""

    def __init__(
        self,
        url: str,
        secret: str | None = None,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.secret = secret
        self.client = client or httpx.AsyncClient(timeout=timeout, transport=transport)

    async def post(self, event_id: str, kind: str, body: bytes) -> Attempt:
        timestamp = int(time.time())
        headers = {"content-type": "application/json", EVENT_ID_HEADER: event_id, KIND_HEADER: kind}
        if self.secret:
            headers |= {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(self.secret, timestamp, body)}
        started = time.perf_counter()
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Attempt(None, _ms_since(started), f"{type(exc).__name__}: {exc}")
        latency = _ms_since(started)
        if response.is_success:
            return Attempt(response.status_code, latency, None)
        return Attempt(response.status_code, latency, f"HTTP {response.status_code}: {response.text[:200]}")


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class WebhookNotifier:
    """POSTs each notification as JSON (signed with ``secret`` if set); anything but a 2xx answer is
    retried on the next round."""

    def __init__(
        self,
        url: str,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        secret: str | None = None,
    ) -> None:
        self.webhook = Webhook(url, secret, timeout, transport)

    async def send(self, item: OutboxRow) -> None:
        body = {
            "dedupe_key": item.dedupe_key,
            "recipient": item.recipient,
            "subject": item.subject,
            "body": item.body,
            "created_at": item.created_at.isoformat(),
        }
        attempt = await self.webhook.post(
            f"{item.dedupe_key}:{item.recipient}", outbox.notification_kind(item), json.dumps(body).encode()
        )
        if not attempt.delivered:
            raise RuntimeError(attempt.error)


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
