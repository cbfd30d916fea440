"""The centre's policy knowledge base (知识库): which entries answer a request, and whether an entry
may be given on a day.

An entry answers on the days from ``valid_from`` to ``valid_until`` (inclusive, open-ended when
unset) unless it was retired. A search ranks the entries valid on the day by how much of the
query's wording they share (Dice over character bigrams: the better of the title alone and the
title with the text, so a short title that says it all is not drowned by a long text), restricted to a matter type when one is asked for (entries naming no matter type are
general and always stay in).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from domain.text import bigrams, dice


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    text: str
    valid_from: date
    valid_until: date | None
    matter_types: tuple[str, ...]
    retired: bool = False

    def valid_on(self, day: date) -> bool:
        return not self.retired and self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def why_not_valid(entry: Entry, day: date) -> str | None:
    """Why the entry may not be given on ``day``, or None when it may."""
    if entry.retired:
        return f"knowledge entry {entry.id} was retired"
    if day < entry.valid_from:
        return f"knowledge entry {entry.id} is valid from {entry.valid_from.isoformat()}"
    if entry.valid_until is not None and day > entry.valid_until:
        return f"knowledge entry {entry.id} expired on {entry.valid_until.isoformat()}"
    return None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float


def search(
    entries: Iterable[Entry], query: str, day: date, matter_type: str | None = None, limit: int = 10
) -> list[Hit]:
    """The entries valid on ``day`` that share wording with ``query``, best first (ties by id)."""
    wanted = bigrams(query)
    hits = []
    for entry in entries:
        if not entry.valid_on(day):
            continue
        if matter_type and entry.matter_types and matter_type not in entry.matter_types:
            continue
        score = max(dice(wanted, bigrams(entry.title)), dice(wanted, bigrams(entry.title + entry.text)))
        if score > 0:
            hits.append(Hit(entry, round(score, 4)))
    hits.sort(key=lambda h: (-h.score, h.entry.id))
    return hits[:limit]
