"""Delivering case events to a subscription: one round of its durable delivery.

A round publishes what is waiting (``persistence.outbox.publish_events``), then sends the events
after the subscription's cursor, in order, one at a time, each signed with the subscription's
secret, up to the first one refused; then it records the attempts and moves the cursor past what
its receiver took (a 2xx), in one transaction per batch. An event the receiver refuses (or a receiver that does not answer) fails the
round: Temporal tries it again with backoff, from that same event, so nothing after it overtakes
it. The round heartbeats; a worker that dies mid-delivery stops heartbeating and another worker
takes the round over from the cursor. Delivery is at least once: the events of a batch sent before
a crash are sent again, with the same ``Minsheng-Event-Id``.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from functools import partial

import httpx
import structlog
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.events import DeliveryRound, EventDelivery, body_of, wanted
from gateways.events import publish_waiting
from gateways.notify import Attempt, Webhook
from persistence import outbox, subscriptions
from persistence.db import Database
from persistence.models import EventSubscriptionRow, OutboxRow

log = structlog.get_logger(__name__)
BATCH = 100


class EventActivities:
    def __init__(self, db: Database, timeout: float, poll_seconds: float, order_wait_seconds: float) -> None:
        self.db = db
        self.http = httpx.AsyncClient(timeout=timeout)
        self.poll_seconds = poll_seconds
        self.order_wait = timedelta(seconds=order_wait_seconds)

    @activity.defn(name="deliver_events")
    async def deliver_events(self, inp: EventDelivery) -> DeliveryRound:
        until = time.monotonic() + inp.round_seconds
        delivered = 0
        while time.monotonic() < until:
            activity.heartbeat(delivered)
            async with self.db.session() as session:
                subscription = await subscriptions.get_subscription(session, inp.subscription_id)
            if subscription is None or subscription.cancelled_at is not None:
                log.info("event subscription ended", subscription_id=inp.subscription_id)
                return DeliveryRound(active=False, delivered=delivered)
            await publish_waiting(self.db, self.order_wait)
            async with self.db.session() as session:
                events = await outbox.events_after(session, subscription.cursor, BATCH)
            if not events:
                await asyncio.sleep(self.poll_seconds)
                continue
            delivered += await self._send(subscription, events)
        return DeliveryRound(active=True, delivered=delivered)

    async def _send(self, subscription: EventSubscriptionRow, events: list[OutboxRow]) -> int:
        """Send the events the subscription wants, in order, up to the first it refuses; then record
        every attempt and move the cursor in one transaction (one write per batch, not per event: a
        crash before it sends the batch again, which at-least-once allows). Returns how many were
        taken; raises if one was refused."""
        webhook = Webhook(subscription.url, subscription.secret, client=self.http)
        attempts: list[tuple[OutboxRow, Attempt, datetime]] = []
        reached = subscription.cursor
        for event in events:
            assert event.position is not None
            activity.heartbeat(len(attempts))
            if wanted(event.body, subscription.kinds, subscription.units):
                attempt = await webhook.post(event.body["id"], event.subject, body_of(event.body))
                attempts.append((event, attempt, datetime.now(UTC)))
                if not attempt.delivered:
                    break
            reached = event.position
        await self.db.write(partial(self._record, subscription=subscription, attempts=attempts, reached=reached))
        if attempts and not (refused := attempts[-1])[1].delivered:
            event, attempt, _ = refused
            log.warning(
                "event not delivered; retried with backoff",
                subscription_id=subscription.id,
                event_id=event.body["id"],
                status=attempt.status_code,
                error=attempt.error,
            )
            raise ApplicationError(f"{subscription.url} refused event {event.body['id']}: {attempt.error}")
        return len(attempts)

    @staticmethod
    def _record(
        session: Session,
        subscription: EventSubscriptionRow,
        attempts: list[tuple[OutboxRow, Attempt, datetime]],
        reached: int,
    ) -> None:
        """The attempts, and the cursor past the last event taken or passed over (unless a replay
        moved it meanwhile: the next round starts from there)."""
        for event, attempt, at in attempts:
            outbox.record_delivery(
                session,
                event,
                at,
                attempt.error,
                target=subscription.id,
                status_code=attempt.status_code,
                latency_ms=attempt.latency_ms,
            )
        if reached > subscription.cursor:
            subscriptions.move_cursor(session, subscription.id, subscription.cursor, reached)
