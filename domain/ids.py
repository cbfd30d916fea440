"""Case and request ids, readable over the phone."""

from __future__ import annotations

from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread
RANDOM_BITS = 50


def readable_id(prefix: str, now: datetime, bits: int) -> str:
    """Date, then ``bits`` (50 random bits: ``secrets.randbits``, or in a workflow its deterministic
    ``workflow.random().getrandbits``) as 10 base32 characters."""
    return f"{prefix}{now:%Y%m%d}-" + "".join(ALPHABET[(bits >> shift) & 31] for shift in range(45, -5, -5))
