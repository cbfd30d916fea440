"""The outbox's durable deliveries, one round each (``workflows/events.py`` runs them): case events
to a subscription, texts to citizens, notifications of slips and notices.

An event round publishes what is waiting (``persistence.outbox.publish_events``), then sends the
events after the subscription's cursor, each signed with the subscription's secret: each case's in
order, one after another, several cases at once; then it records the attempts and moves the cursor
past what its receiver took (a 2xx), in one transaction per batch. An event the receiver refuses
(or a receiver that does not answer) fails the round: Temporal tries it again with backoff, from
that same event, so nothing of its case overtakes it. A round heartbeats; a worker that dies
mid-delivery stops heartbeating and another worker takes the round over from what was recorded.
Delivery is at least once: the events of a batch sent before a crash are sent again, with the same
``Minsheng-Event-Id``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import httpx
import structlog
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.events import Delivery, DeliveryRound, body_of, wanted
from domain.texts import TextKind, TextPolicy, why_not_sent
from gateways.events import TEXTS, publish_waiting
from gateways.notify import Attempt, Notifier, Webhook, deliver_pending
from persistence import outbox, subscriptions, texts
from persistence.db import Database
from persistence.models import EventSubscriptionRow, OutboxRow, RequestRow

log = structlog.get_logger(__name__)
BATCH = 100
PARALLEL = 8
"""POSTs in flight at once to one subscriber, each of another case (a case's events go one by one)."""


@dataclass(frozen=True)
class Texting:
    """How texts reach citizens: the SMS platform's webhook (None: the log), its secret, the texts
    and quiet hours, the city's zone, and the channels that answer their citizens themselves."""

    url: str | None
    secret: str | None
    policy: TextPolicy
    zone: ZoneInfo
    answering: frozenset[str]


@dataclass(frozen=True)
class TextOutcome:
    row: OutboxRow
    attempt: Attempt | None = None
    skipped: str | None = None
    held_until: datetime | None = None


class EventActivities:
    def __init__(
        self,
        db: Database,
        timeout: float,
        poll_seconds: float,
        order_wait_seconds: float,
        texting: Texting,
        notifier: Notifier,
        notify_interval: float,
    ) -> None:
        self.db = db
        self.notifier = notifier
        self.notify_interval = notify_interval
        self.http = httpx.AsyncClient(timeout=timeout)
        self.poll_seconds = poll_seconds
        self.order_wait = timedelta(seconds=order_wait_seconds)
        self.texting = texting

    @activity.defn(name="deliver_events")
    async def deliver_events(self, inp: Delivery) -> DeliveryRound:
        until = time.monotonic() + inp.round_seconds
        delivered = 0
        while time.monotonic() < until:
            activity.heartbeat(delivered)
            async with self.db.session() as session:
                subscription = await subscriptions.get_subscription(session, inp.target)
            if subscription is None or subscription.cancelled_at is not None:
                log.info("event subscription ended", subscription_id=inp.target)
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
        """Send the events the subscription wants: each case's one after another, in order, and up
        to ``PARALLEL`` cases at once; a case stops at its first refused event. Then record every
        attempt and move the cursor past the events all taken (or not wanted) in one transaction:
        one write per batch, not per event (a crash before it sends the batch again, which
        at-least-once allows; so does a retry, from the first event refused). Returns how many were
        taken; raises if one was refused."""
        webhook = Webhook(subscription.url, subscription.secret, client=self.http)
        wanted_events = [e for e in events if wanted(e.body, subscription.kinds, subscription.units)]
        wanted_ids = {e.id for e in wanted_events}
        by_case: dict[str, list[OutboxRow]] = {}
        for event in wanted_events:
            by_case.setdefault(event.body["case_id"], []).append(event)
        attempts: dict[int, tuple[OutboxRow, Attempt, datetime]] = {}
        slots = asyncio.Semaphore(PARALLEL)

        async def send_case(rows: list[OutboxRow]) -> None:
            for event in rows:
                async with slots:
                    activity.heartbeat(len(attempts))
                    attempt = await webhook.post(event.body["id"], event.subject, body_of(event.body))
                attempts[event.id or 0] = (event, attempt, datetime.now(UTC))
                if not attempt.delivered:
                    return  # the case's later events wait for the retry

        await asyncio.gather(*(send_case(rows) for rows in by_case.values()))
        reached = subscription.cursor
        for event in events:
            assert event.position is not None
            taken = attempts.get(event.id or 0)
            if event.id in wanted_ids and not (taken and taken[1].delivered):
                break
            reached = event.position
        made = sorted(attempts.values(), key=lambda a: a[0].position or 0)
        await self.db.write(partial(self._record, subscription=subscription, attempts=made, reached=reached))
        if refused := [a for a in made if not a[1].delivered]:
            event, attempt, _ = refused[0]
            log.warning(
                "event not delivered; retried with backoff",
                subscription_id=subscription.id,
                event_id=event.body["id"],
                status=attempt.status_code,
                error=attempt.error,
            )
            raise ApplicationError(f"{subscription.url} refused event {event.body['id']}: {attempt.error}")
        return len(made)

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

    @activity.defn(name="deliver_texts")
    async def deliver_texts(self, inp: Delivery) -> DeliveryRound:
        """Texts to citizens, in the order of their events: each sent to the SMS platform, skipped (a channel that
        answers its citizens, no phone, opted out: recorded, never sent) or, in the quiet hours,
        held until they end. A text the platform refuses fails the round (retried with backoff)."""
        until = time.monotonic() + inp.round_seconds
        sent = 0
        while time.monotonic() < until:
            activity.heartbeat(sent)
            # A text goes once its event is published, which is in order per case.
            await publish_waiting(self.db, self.order_wait)
            now = datetime.now(UTC)
            async with self.db.session() as session:
                due = await texts.due_texts(session, now, BATCH)
                out = await texts.opted_out(session, [r.citizen_phone for _, r in due if r])
            if not due:
                await asyncio.sleep(self.poll_seconds)
                continue
            sent += await self._text(due, out, now)
        return DeliveryRound(active=True, delivered=sent)

    async def _text(self, due: list[tuple[OutboxRow, RequestRow | None]], out: set[str], now: datetime) -> int:
        t = self.texting
        quiet_until = t.policy.quiet_hours.holds(now, t.zone) if t.policy.quiet_hours else None
        outcomes: list[TextOutcome] = []
        for row, request in due:
            activity.heartbeat(len(outcomes))
            phone = request.citizen_phone if request else ""
            answering = request is not None and request.channel in t.answering
            if reason := why_not_sent(phone, answering, phone in out):
                outcomes.append(TextOutcome(row, skipped=reason))
            elif quiet_until:
                outcomes.append(TextOutcome(row, held_until=quiet_until))
            else:
                text = t.policy.render(TextKind(row.subject), row.body["request_id"], row.body.get("reply"))
                attempt = await self._sms(row, phone, text)
                outcomes.append(TextOutcome(row, attempt=attempt))
                if not attempt.delivered:
                    break
        await self.db.write(partial(self._record_texts, outcomes=outcomes, at=datetime.now(UTC)))
        failed = outcomes[-1].attempt
        if failed is not None and not failed.delivered:
            log.warning("text not delivered; retried with backoff", outbox_id=outcomes[-1].row.id, error=failed.error)
            raise ApplicationError(f"the SMS platform refused text {outcomes[-1].row.dedupe_key}: {failed.error}")
        return sum(o.attempt is not None for o in outcomes)

    async def _sms(self, row: OutboxRow, phone: str, text: str) -> Attempt:
        """One text to the SMS platform's webhook; with no webhook set, to the log (no phone in it)."""
        if self.texting.url is None:
            log.info("text to a citizen", request_id=row.body["request_id"], kind=row.subject, text=text)
            return Attempt(None, 0.0, None)
        message = {"id": row.dedupe_key, "to": phone, "text": text, "request_id": row.body["request_id"]}
        webhook = Webhook(self.texting.url, self.texting.secret, client=self.http)
        return await webhook.post(row.dedupe_key, row.subject, body_of(message | {"kind": row.subject}))

    @staticmethod
    def _record_texts(session: Session, outcomes: list[TextOutcome], at: datetime) -> None:
        for o in outcomes:
            assert o.row.id is not None
            if o.held_until is not None:
                texts.hold_text(session, o.row.id, o.held_until)
                continue
            a = o.attempt
            outbox.record_delivery(
                session,
                o.row,
                at,
                a.error if a else None,
                target=TEXTS,
                status_code=a.status_code if a else None,
                latency_ms=a.latency_ms if a else None,
                skipped=o.skipped,
            )
            if o.skipped or (a and a.delivered):
                texts.mark_sent(session, o.row.id, at)

    @activity.defn(name="deliver_notifications")
    async def deliver_notifications(self, inp: Delivery) -> DeliveryRound:
        """Slips and notices to their recipients through the notifier (the log, or the notification
        webhook), every ``MINSHENG_NOTIFY_INTERVAL_SECONDS``; one the webhook refuses fails the
        round (recorded in ``deliveries``), which is retried with backoff."""
        until = time.monotonic() + inp.round_seconds
        sent = 0
        while time.monotonic() < until:
            activity.heartbeat(sent)
            done = await deliver_pending(self.db, self.notifier)
            sent += done
            if done:
                continue
            async with self.db.session() as session:
                if await outbox.pending_notifications(session, 1):
                    raise ApplicationError("the notification webhook refused a notification; see deliveries")
            await asyncio.sleep(self.notify_interval)
        return DeliveryRound(active=True, delivered=sent)
