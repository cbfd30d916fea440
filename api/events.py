"""Case events out: webhook subscriptions (signed deliveries, their log, replay from a position),
the events by position, and the live stream (Server-Sent Events) for consoles."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import AnyHttpUrl, BaseModel, Field, UrlConstraints, field_validator

from api.context import Context, Principal, Reader, answers, field_errors, require
from api.schemas.common import In, Offset
from domain.case import Role
from domain.events import UNIT_KINDS, check_kinds, wanted
from gateways.events import publish_waiting, start_delivery
from persistence import outbox, subscriptions
from persistence.models import DeliveryRow, EventSubscriptionRow, OutboxRow

router = APIRouter(prefix="/v1", tags=["events"])
Subscriber = Annotated[Principal, require(Role.dispatcher, Role.unit)]
Position = Annotated[int, Field(ge=0, le=2**31 - 1)]
SubscriptionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_]{1,24}$", description="sub_…, as subscribing answered")]
RETRY_MS = 2000
"""How long a browser's EventSource waits before it reconnects when a stream ends."""
KEEP_ALIVE_SECONDS = 15.0


class SubscriptionIn(In):
    url: Annotated[AnyHttpUrl, UrlConstraints(max_length=2000)] = Field(
        description="where events are POSTed (http or https)"
    )
    kinds: list[str] = Field(
        default=[],
        max_length=64,
        description="event kinds to send (docs/case.md); none: every kind, or for a unit key its "
        f"dispatches, whistles, slips, return decisions and reopenings ({', '.join(UNIT_KINDS)})",
    )
    units: list[str] | None = Field(
        default=None,
        max_length=200,
        description="only events of cases concerning these units; a unit key: its own unit, always",
    )
    from_position: Position | None = Field(
        default=None, description="send the events after this position too; default: only those published from now"
    )

    @field_validator("kinds")
    @classmethod
    def _known(cls, kinds: list[str]) -> list[str]:
        check_kinds(kinds)
        return kinds


class SubscriptionOut(BaseModel):
    id: str
    url: str
    kinds: list[str]
    units: list[str] | None
    owner_unit: str | None = Field(description="the unit whose key made it; null: the centre's")
    cursor: int = Field(description="the position of the last event delivered (or not wanted)")
    created_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, row: EventSubscriptionRow) -> SubscriptionOut:
        return cls.model_validate(row, from_attributes=True)


class NewSubscriptionOut(SubscriptionOut):
    secret: str = Field(description="signs every delivery (Minsheng-Signature); shown this once only")


class ReplayIn(In):
    from_position: Position = Field(description="deliver again every wanted event from this position on")


class DeliveryOut(BaseModel):
    event_id: str
    position: int | None
    kind: str
    case_id: str | None
    outcome: str = Field(description="delivered, or failed (tried again with backoff)")
    attempts: int
    status_code: int | None = Field(description="the receiver's last HTTP status; null if it did not answer")
    latency_ms: float | None
    error: str | None
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None


class EventOut(BaseModel):
    position: int
    event: dict[str, Any] = Field(description="the event as every delivery carries it")


class EventPage(BaseModel):
    events: list[EventOut]
    last_position: int = Field(description="the position of the last event published")


async def _own(context: Context, principal: Principal, subscription_id: str) -> EventSubscriptionRow:
    async with context.db.session() as session:
        row = await subscriptions.get_subscription(session, subscription_id)
    if row is None:
        raise HTTPException(404, f"no event subscription {subscription_id}")
    if principal.role is Role.unit and row.owner_unit != principal.unit:
        raise HTTPException(403, f"subscription {subscription_id} is not one of {principal.unit}'s")
    return row


@router.post("/event-subscriptions", status_code=201, response_model=NewSubscriptionOut, responses=answers(503))
async def subscribe(body: SubscriptionIn, principal: Subscriber, context: Context) -> NewSubscriptionOut:
    """Subscribe a webhook to case events. Each event is POSTed as JSON, signed with the secret
    answered here (once), at least once and in order per case; a refused delivery is retried with
    backoff. A unit key subscribes its own unit's cases, by default to its dispatches, whistles,
    slips, return decisions and reopenings."""
    units, kinds = body.units, body.kinds
    if principal.role is Role.unit:
        if units not in (None, [principal.unit]):
            raise HTTPException(403, f"a unit key subscribes to its own unit's cases ({principal.unit}) only")
        units, kinds = [str(principal.unit)], kinds or list(UNIT_KINDS)
    unknown = sorted(set(units or []) - context.reference.units.keys())
    if unknown:
        raise field_errors({"units": f"unknown units {', '.join(unknown)}; see config/units.yaml"})
    async with context.db.session() as session:
        last = await outbox.last_position(session)
    cursor = last if body.from_position is None else min(body.from_position, last)
    now = datetime.now(UTC)
    row = await context.db.write(
        lambda s: subscriptions.add_subscription(
            s, str(body.url), kinds, units, principal.key_id, principal.unit, cursor, now
        )
    )
    await start_delivery(context.client, context.settings, row.id)
    return NewSubscriptionOut.model_validate(row, from_attributes=True)


@router.get("/event-subscriptions", response_model=list[SubscriptionOut])
async def list_subscriptions(principal: Subscriber, context: Context) -> list[SubscriptionOut]:
    """Every subscription (a dispatcher), or the unit's own (a unit key); without their secrets."""
    async with context.db.session() as session:
        rows = await subscriptions.list_subscriptions(session, principal.unit if principal.role is Role.unit else None)
    return [SubscriptionOut.of(r) for r in rows]


@router.get("/event-subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=answers(404))
async def get_subscription(subscription_id: SubscriptionId, principal: Subscriber, context: Context) -> SubscriptionOut:
    return SubscriptionOut.of(await _own(context, principal, subscription_id))


@router.delete("/event-subscriptions/{subscription_id}", response_model=SubscriptionOut, responses=answers(404))
async def cancel(subscription_id: SubscriptionId, principal: Subscriber, context: Context) -> SubscriptionOut:
    """Stop sending to this webhook (its delivery ends within a poll); its deliveries stay listed."""
    await _own(context, principal, subscription_id)
    now = datetime.now(UTC)
    await context.db.write(lambda s: subscriptions.cancel_subscription(s, subscription_id, now))
    return SubscriptionOut.of(await _own(context, principal, subscription_id))


@router.post(
    "/event-subscriptions/{subscription_id}/replay",
    response_model=SubscriptionOut,
    responses=answers(404, 409, 503),
)
async def replay(
    subscription_id: SubscriptionId, body: ReplayIn, principal: Subscriber, context: Context
) -> SubscriptionOut:
    """Deliver again, in order, every wanted event from ``from_position`` on (the events'
    ``Minsheng-Event-Id`` is unchanged, so a subscriber that keeps them drops what it has)."""
    row = await _own(context, principal, subscription_id)
    if row.cancelled_at is not None:
        raise HTTPException(409, f"subscription {subscription_id} is cancelled; subscribe again with from_position")
    await context.db.write(lambda s: subscriptions.replay_from(s, subscription_id, body.from_position))
    await start_delivery(context.client, context.settings, subscription_id)
    return SubscriptionOut.of(await _own(context, principal, subscription_id))


@router.get(
    "/event-subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut], responses=answers(404)
)
async def deliveries(
    subscription_id: SubscriptionId,
    principal: Subscriber,
    context: Context,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> list[DeliveryOut]:
    """The deliveries to this webhook, the latest first: attempts, last status and latency."""
    await _own(context, principal, subscription_id)
    async with context.db.session() as session:
        rows = await subscriptions.deliveries_to(session, subscription_id, limit, offset)
        events = {e.id: e for e in await outbox.events_by_id(session, [r.outbox_id for r in rows])}
    return [_delivery(r, events[r.outbox_id]) for r in rows]


def _delivery(row: DeliveryRow, event: OutboxRow) -> DeliveryOut:
    return DeliveryOut(
        event_id=event.body["id"],
        position=event.position,
        kind=row.kind,
        case_id=row.case_id,
        outcome=row.outcome,
        attempts=row.attempts,
        status_code=row.status_code,
        latency_ms=row.latency_ms,
        error=row.error,
        first_attempt_at=row.first_attempt_at,
        last_attempt_at=row.last_attempt_at,
        delivered_at=row.delivered_at,
    )


def _visible(principal: Principal, event: OutboxRow) -> bool:
    """A unit key sees the events of its own cases (led or summoned to); other readers all."""
    return principal.role is not Role.unit or wanted(event.body, [], [str(principal.unit)])


async def _published_after(context: Context, position: int, limit: int) -> list[OutboxRow]:
    await publish_waiting(context.db, timedelta(seconds=context.settings.events_order_wait_seconds))
    async with context.db.session() as session:
        return await outbox.events_after(session, position, limit)


@router.get("/events", response_model=EventPage)
async def events(
    principal: Reader,
    context: Context,
    after: Annotated[Position, Query(description="the position to read after (0: from the first)")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> EventPage:
    """Published case events after a position, in order, as the key may see them (a unit key: its
    own cases). Read again from any position: events are kept."""
    rows = await _published_after(context, after, limit)
    async with context.db.session() as session:
        last = await outbox.last_position(session)
    return EventPage(
        events=[EventOut(position=r.position or 0, event=r.body) for r in rows if _visible(principal, r)],
        last_position=last,
    )


@router.get(
    "/events/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "the live stream of case events"}},
)
async def stream(
    principal: Reader,
    context: Context,
    last_event_id: Annotated[
        Position | None, Header(alias="Last-Event-ID", description="resume after this event (the browser sends it)")
    ] = None,
    after: Annotated[Position | None, Query(description="start after this position; default: from now")] = None,
) -> StreamingResponse:
    """Server-Sent Events: each case event as ``id: <position>``, ``event: <kind>``, ``data: <the
    event's JSON>``, as the key may see them (a unit key: its own cases). A stream ends after
    ``MINSHENG_EVENTS_STREAM_SECONDS``; EventSource reconnects with ``Last-Event-ID`` and loses nothing."""
    start = last_event_id if last_event_id is not None else after
    if start is None:
        async with context.db.session() as session:
            start = await outbox.last_position(session)
    return StreamingResponse(
        _stream(context, principal, start), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )


async def _stream(context: Context, principal: Principal, position: int) -> AsyncIterator[str]:
    settings = context.settings
    yield f"retry: {RETRY_MS}\n\n"
    now = time.monotonic()
    until, quiet_since = now + settings.events_stream_seconds, now
    while time.monotonic() < until:
        rows = await _published_after(context, position, 100)
        for row in rows:
            position = row.position or position
            if _visible(principal, row):
                yield f"id: {position}\nevent: {row.subject}\ndata: {json.dumps(row.body, ensure_ascii=False)}\n\n"
                quiet_since = time.monotonic()
        if not rows:
            if time.monotonic() - quiet_since > KEEP_ALIVE_SECONDS:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()
            await asyncio.sleep(min(settings.events_poll_seconds, max(until - time.monotonic(), 0)))
