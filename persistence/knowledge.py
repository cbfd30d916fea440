"""The policy knowledge base in the database: entries, and every version of each (created, edited,
retired), written together so the history is never behind the entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.knowledge import Entry
from persistence.models import KnowledgeEntryRow, KnowledgeVersionRow


@dataclass(frozen=True)
class EntryText:
    title: str
    text: str
    source: str
    valid_from: date
    valid_until: date | None
    matter_types: list[str]


def _version(row: KnowledgeEntryRow, change: str, actor_key_id: str | None, now: datetime) -> KnowledgeVersionRow:
    assert row.id is not None
    return KnowledgeVersionRow(
        entry_id=row.id,
        version=row.version,
        change=change,
        title=row.title,
        text=row.text,
        source=row.source,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        matter_types=list(row.matter_types),
        actor_key_id=actor_key_id,
        at=now,
    )


def create_entry(session: Session, text: EntryText, actor_key_id: str | None, now: datetime) -> KnowledgeEntryRow:
    row = KnowledgeEntryRow(**text.__dict__, version=1, updated_at=now)
    session.add(row)
    session.flush()
    session.add(_version(row, "created", actor_key_id, now))
    return row


def edit_entry(
    session: Session, entry_id: int, text: EntryText | None, actor_key_id: str | None, now: datetime
) -> KnowledgeEntryRow | None:
    """A new version of the entry (``text``), or its retirement (None); None if there is no entry.
    A retired entry stays, with its history, for the cases that gave it."""
    row = session.get(KnowledgeEntryRow, entry_id, with_for_update=True)
    if row is None:
        return None
    if text is None:
        row.retired_at = now
    else:
        for name, value in text.__dict__.items():
            setattr(row, name, value)
    row.version += 1
    row.updated_at = now
    session.add(row)
    session.flush()
    session.add(_version(row, "retired" if text is None else "edited", actor_key_id, now))
    return row


def as_entry(row: KnowledgeEntryRow) -> Entry:
    assert row.id is not None
    return Entry(
        id=row.id,
        title=row.title,
        text=row.text,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        matter_types=tuple(row.matter_types),
        retired=row.retired_at is not None,
    )


async def get_entry(session: AsyncSession, entry_id: int) -> KnowledgeEntryRow | None:
    return await session.get(KnowledgeEntryRow, entry_id)


async def live_entries(session: AsyncSession) -> list[KnowledgeEntryRow]:
    """The entries not retired (a search ranks them in Python: a centre keeps thousands, not millions)."""
    rows = await session.exec(
        select(KnowledgeEntryRow).where(col(KnowledgeEntryRow.retired_at).is_(None)).order_by(col(KnowledgeEntryRow.id))
    )
    return list(rows)


async def list_entries(session: AsyncSession, retired: bool, limit: int, offset: int) -> list[KnowledgeEntryRow]:
    retired_at = col(KnowledgeEntryRow.retired_at)
    rows = await session.exec(
        select(KnowledgeEntryRow)
        .where(retired_at.is_not(None) if retired else retired_at.is_(None))
        .order_by(col(KnowledgeEntryRow.id))
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def versions(session: AsyncSession, entry_id: int) -> list[KnowledgeVersionRow]:
    rows = await session.exec(
        select(KnowledgeVersionRow)
        .where(KnowledgeVersionRow.entry_id == entry_id)
        .order_by(col(KnowledgeVersionRow.version))
    )
    return list(rows)
