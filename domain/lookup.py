"""What a citizen sees of their request when they look it up (key-less, with the request number and
the last four digits of their phone): the case's public status, the steps that concern them, the
date it is expected by and the unit's reply. Nothing of other citizens, of staff or of the centre's
internal steps (classification, slips, summonses, refusals)."""

from __future__ import annotations

import hmac
from datetime import datetime

from pydantic import BaseModel

PUBLIC_STEPS = {
    "received": "received",
    "request_joined": "received",
    "dispatched": "sent to the responsible unit",
    "accepted": "accepted by the unit",
    "returned": "being sent to another unit",
    "extension_approved": "the unit has more time",
    "replied": "the unit replied",
    "callbacks_planned": "a callback visit is planned",
    "reopened": "reopened after your callback",
    "closed": "closed",
    "merged": "handled together with the same matter",
}
"""Timeline kinds a citizen sees, and how they read; other kinds are left out."""


class PublicStep(BaseModel):
    at: datetime
    step: str


def public_steps(events: list[tuple[datetime, str]]) -> list[PublicStep]:
    """The (time, kind) of a case's timeline as the citizen reads it."""
    return [PublicStep(at=at, step=PUBLIC_STEPS[kind]) for at, kind in events if kind in PUBLIC_STEPS]


def phone_matches(phone: str, last_four: str) -> bool:
    """The last four digits of the citizen's phone, compared in constant time."""
    digits = "".join(c for c in phone if c.isdigit())
    return len(digits) >= 4 and hmac.compare_digest(digits[-4:], last_four)
