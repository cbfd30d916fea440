"""Case and request ids, readable over the phone."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread


def readable_id(prefix: str, now: datetime, choose: Callable[[Sequence[str]], str]) -> str:
    """Date, then 10 base32 characters (50 bits). ``choose`` is ``secrets.choice``, or in a
    workflow its deterministic ``workflow.random().choice``."""
    return f"{prefix}{now:%Y%m%d}-" + "".join(choose(ALPHABET) for _ in range(10))
