"""Case events out (signed webhooks and the live stream): what an event says, whom it concerns,
what a subscription may ask for, and the signature a subscriber checks.

An event is one timeline event of a case, as it is published: its id (``<case_id>.<seq>``, the
same on every attempt, so a subscriber drops repeats by it), its kind, the case's status and unit
after it, the actor's role and unit (never a staff member's key or name, never a citizen's name or
phone) and the event's detail. ``units`` are the units it concerns: what a unit key may see.

Signatures follow the webhook conventions of Stripe and GitHub: ``HMAC-SHA256(secret,
"<timestamp>.<body>")`` in hex, the timestamp (Unix seconds) sent beside it, so a receiver can refuse
a replayed old delivery (``docs/api.md``, "Verifying a delivery").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Literal

from pydantic import BaseModel

from domain.case.model import CaseStatus, TimelineEvent
from domain.timeline import KIND_NAMES

EVENT_KINDS = frozenset(KIND_NAMES)
"""Every kind of timeline event a case records (docs/case.md, "The timeline")."""

UNIT_KINDS = ("dispatched", "summoned", "slip", "returned", "return_refused", "reopened")
"""What a unit is subscribed to by default: its dispatches, whistles summoning it, its slips, the
decisions on its returns and its reopened cases."""

SIGNATURE_HEADER = "Minsheng-Signature"
TIMESTAMP_HEADER = "Minsheng-Timestamp"
EVENT_ID_HEADER = "Minsheng-Event-Id"
KIND_HEADER = "Minsheng-Event-Kind"


def event_id(case_id: str, seq: int) -> str:
    return f"{case_id}.{seq}"


def concerned_units(unit: str | None, summoned: list[str], event: TimelineEvent) -> list[str]:
    """The units an event concerns: the case's unit after it, the units summoned to the case, the
    unit the event names (a dispatch, a summons, a slip) and the acting unit (a return's decision
    reaches the unit that returned the case)."""
    found = {unit, event.detail.get("unit"), event.actor.unit, *summoned}
    return sorted(u for u in found if u)


def event_message(
    case_id: str, status: CaseStatus, unit: str | None, units: list[str], e: TimelineEvent
) -> dict[str, Any]:
    """The published form of a timeline event: the body every delivery of it carries."""
    return {
        "id": event_id(case_id, e.seq),
        "kind": e.kind,
        "case_id": case_id,
        "seq": e.seq,
        "at": e.at.isoformat(),
        "status": status.value,
        "unit": unit,
        "units": units,
        "actor": {"role": e.actor.role.value, "unit": e.actor.unit},
        "detail": dict(e.detail),
    }


def wanted(message: dict[str, Any], kinds: list[str], units: list[str] | None) -> bool:
    """A subscription's filter: its kinds (none listed: every kind) and its units (none: all)."""
    if kinds and message["kind"] not in kinds:
        return False
    return units is None or any(u in units for u in message["units"])


def check_kinds(kinds: list[str]) -> None:
    """Raises ``ValueError`` naming the kinds that are not event kinds."""
    unknown = sorted(set(kinds) - EVENT_KINDS)
    if unknown:
        raise ValueError(f"unknown event kinds {', '.join(unknown)}; the kinds are {', '.join(sorted(EVENT_KINDS))}")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: int, body: bytes, signature: str, now: int, tolerance: int = 300) -> bool:
    """What a subscriber does: the signature matches and the timestamp is recent."""
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), signature)


def body_of(message: dict[str, Any]) -> bytes:
    """The bytes sent for an event: the same on every attempt and every replay."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class Delivery(BaseModel):
    """A durable delivery from the outbox (a subscription's events, the texts to citizens, the
    notifications of slips and notices): the input of its workflow and of each round of its
    activity."""

    target: str
    """The subscription's id, ``texts`` or ``notifications``."""
    activity: Literal["deliver_events", "deliver_texts", "deliver_notifications"] = "deliver_events"
    retry_max_seconds: float = 300.0
    """The longest wait between two attempts at an event the subscriber refused (the backoff doubles
    from one second up to it)."""
    heartbeat_seconds: float = 30.0
    """How soon another worker takes over the delivery of a worker that died."""
    round_seconds: float = 60.0
    """How long one activity delivers before the workflow starts the next."""


class DeliveryRound(BaseModel):
    active: bool
    """False once the subscription is cancelled: its workflow ends."""
    delivered: int = 0
