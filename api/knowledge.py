"""The centre's policy knowledge base (知识库): kept by dispatchers, searched by the operators on
the call by the request's words, each change kept as a version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from api.context import READERS, Context, Dispatcher, Principal, answers, field_errors, require
from api.schemas.common import Day, Offset, RowId
from api.schemas.knowledge import EntryIn, EntryOut, EntryPage, EntryVersionOut
from domain.case import Role
from domain.knowledge import search
from persistence import knowledge
from persistence.knowledge import EntryText
from persistence.models import KnowledgeEntryRow

router = APIRouter(prefix="/v1/knowledge", tags=["knowledge"])
KnowledgeReader = Annotated[Principal, require(Role.intake, *READERS)]


def _text(body: EntryIn, context: Context) -> EntryText:
    unknown = [m for m in body.matter_types if m not in context.reference.matter_types]
    if unknown:
        raise field_errors({"matter_types": f"unknown matter types {unknown}; see config/catalogue.yaml"})
    return EntryText(
        title=body.title,
        text=body.text,
        source=body.source,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        matter_types=list(dict.fromkeys(body.matter_types)),
    )


@router.post("", status_code=201, response_model=EntryOut)
async def create_entry(body: EntryIn, principal: Dispatcher, context: Context) -> EntryOut:
    """Add an entry: the answer, where it comes from, the days it may be given, its matter types."""
    text = _text(body, context)
    row = await context.db.write(lambda s: knowledge.create_entry(s, text, principal.key_id, datetime.now(UTC)))
    return EntryOut.of(row)


@router.get("", response_model=EntryPage)
async def list_entries(
    principal: KnowledgeReader,
    context: Context,
    q: Annotated[str | None, Query(max_length=4000, description="the request's words: entries best first")] = None,
    matter_type: Annotated[str | None, Query(max_length=48)] = None,
    on: Annotated[Day | None, Query(description="with q: entries valid on this day (default today)")] = None,
    retired: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[Offset, Query()] = 0,
) -> EntryPage:
    """With ``q``: the entries valid on the day that answer those words, best first, with their
    score. Without: the entries by number (``retired=true``: the retired ones)."""
    async with context.db.session() as session:
        if q is None:
            return EntryPage(
                items=[EntryOut.of(r) for r in await knowledge.list_entries(session, retired, limit, offset)]
            )
        rows = {r.id: r for r in await knowledge.live_entries(session)}
    day = on or datetime.now(UTC).astimezone(context.settings.timing.zone).date()
    hits = search((knowledge.as_entry(r) for r in rows.values()), q, day, matter_type, limit + offset)[offset:]
    return EntryPage(items=[EntryOut.of(rows[h.entry.id], h.score) for h in hits])


async def _entry(context: Context, entry_id: int) -> KnowledgeEntryRow:
    async with context.db.session() as session:
        row = await knowledge.get_entry(session, entry_id)
    if row is None:
        raise HTTPException(404, f"no knowledge entry {entry_id}")
    return row


@router.get("/{entry_id}", response_model=EntryOut, responses=answers(404))
async def get_entry(entry_id: RowId, principal: KnowledgeReader, context: Context) -> EntryOut:
    return EntryOut.of(await _entry(context, entry_id))


@router.put("/{entry_id}", response_model=EntryOut, responses=answers(404, 409))
async def edit_entry(entry_id: RowId, body: EntryIn, principal: Dispatcher, context: Context) -> EntryOut:
    """A new version of the entry; cases answered with an earlier one keep the version they gave."""
    text = _text(body, context)
    return await _change(context, entry_id, text, principal.key_id)


@router.delete("/{entry_id}", response_model=EntryOut, responses=answers(404, 409))
async def retire_entry(entry_id: RowId, principal: Dispatcher, context: Context) -> EntryOut:
    """Retire the entry: it is no longer given, and stays with its versions for the cases that gave it."""
    return await _change(context, entry_id, None, principal.key_id)


async def _change(context: Context, entry_id: int, text: EntryText | None, key_id: str | None) -> EntryOut:
    row = await _entry(context, entry_id)
    if row.retired_at is not None:
        raise HTTPException(409, f"knowledge entry {entry_id} was retired on {row.retired_at.date()}")
    changed = await context.db.write(lambda s: knowledge.edit_entry(s, entry_id, text, key_id, datetime.now(UTC)))
    assert changed is not None
    return EntryOut.of(changed)


@router.get("/{entry_id}/versions", response_model=list[EntryVersionOut], responses=answers(404))
async def entry_versions(entry_id: RowId, principal: KnowledgeReader, context: Context) -> list[EntryVersionOut]:
    """Every version of the entry, oldest first: who changed it, when, and how it read."""
    await _entry(context, entry_id)
    async with context.db.session() as session:
        return [EntryVersionOut.of(v) for v in await knowledge.versions(session, entry_id)]
