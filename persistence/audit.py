"""The tamper-evident record in the database (``domain.audit``): the timeline's hash chain written
with each event, the ledgers of assessment and accountability versions, the daily anchors, and
the reads ``minsheng audit verify`` checks them with."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.audit import (
    GENESIS,
    ChainEntry,
    action_version,
    anchor_root,
    digest,
    event_content,
    ledger_content,
    link,
)
from persistence.models import (
    AccountabilityActionRow,
    CaseEventRow,
    CaseRow,
    ChainAnchorRow,
    LedgerEntryRow,
    MonthlyAssessmentRow,
)

ASSESSMENT_LEDGER = "assessment"
ACCOUNTABILITY_LEDGER = "accountability"
LEDGERS = (ASSESSMENT_LEDGER, ACCOUNTABILITY_LEDGER)
CASE_CHAIN = "case:"
LEDGER_CHAIN = "ledger:"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def row_content(row: CaseEventRow | sa.Row[Any]) -> dict[str, Any]:
    return event_content(
        row.case_id,
        row.seq,
        _utc(row.at),
        row.kind,
        row.status,
        row.actor_role,
        row.actor_unit,
        row.actor_key_id,
        row.detail,
        row.actor_person,
    )


def chain_case_events(session: Session, case_id: str) -> None:
    """Hash the case's events not hashed yet whose predecessor is: in seq order, from the last
    hashed one. An event written before its predecessor (concurrent updates) waits for it.
    Core statements: it runs in every timeline write, and the ORM's unit of work was most of it."""
    events = CaseEventRow.__table__
    connection = session.connection()
    unchained = connection.execute(
        sa.select(events).where(events.c.case_id == case_id, events.c.hash.is_(None)).order_by(events.c.seq)
    ).all()
    if not unchained:
        return
    first = unchained[0].seq
    prev = (
        GENESIS
        if first == 1
        else connection.execute(
            sa.select(events.c.hash).where(events.c.case_id == case_id, events.c.seq == first - 1)
        ).scalar()
    )
    links: list[dict[str, Any]] = []
    for row in unchained:
        if prev is None or row.seq != first + len(links):
            break  # a gap: the rest is chained when the missing event is written
        before, prev = prev, link(prev, row_content(row))
        links.append({"row_id": row.id, "link_prev": before, "link_hash": prev})
    if links:
        connection.execute(
            sa.update(events)
            .where(events.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("link_prev"), hash=sa.bindparam("link_hash")),
            links,
        )


def chain_pending(session: Session) -> int:
    """Chain the events still waiting for a predecessor written since (by a concurrent write that
    could not see theirs); answer how many cases had any."""
    case_ids = list(session.exec(select(CaseEventRow.case_id).where(col(CaseEventRow.hash).is_(None)).distinct()))
    for case_id in case_ids:
        chain_case_events(session, case_id)
    return len(case_ids)


def _assessment_versions(session: Session, month: str) -> Iterable[tuple[str, str, str]]:
    row = session.get(MonthlyAssessmentRow, month)
    if row is not None:
        yield ASSESSMENT_LEDGER, month, digest(row.result)
    for a in session.exec(select(AccountabilityActionRow).where(AccountabilityActionRow.month == month)):
        version = action_version(a.action, a.digest, a.revision, _utc(a.withdrawn_at) if a.withdrawn_at else None)
        yield ACCOUNTABILITY_LEDGER, a.key, version


def record_month_versions(session: Session, month: str, now: datetime) -> None:
    """Enter in the ledgers the month's assessment and actions as they now stand, where they
    differ from their last entries (a retried or unchanged store adds nothing)."""
    session.flush()
    for chain, subject, version in _assessment_versions(session, month):
        last = session.exec(
            select(LedgerEntryRow.digest)
            .where(LedgerEntryRow.chain == chain, LedgerEntryRow.subject == subject)
            .order_by(col(LedgerEntryRow.seq).desc())
        ).first()
        if last == version:
            continue
        head = session.exec(
            select(LedgerEntryRow).where(LedgerEntryRow.chain == chain).order_by(col(LedgerEntryRow.seq).desc())
        ).first()
        prev, seq = (head.hash, head.seq + 1) if head else (GENESIS, 1)
        session.add(
            LedgerEntryRow(
                chain=chain,
                seq=seq,
                subject=subject,
                digest=version,
                at=now,
                prev_hash=prev,
                hash=link(prev, ledger_content(subject, version)),
            )
        )
        session.flush()


# -- Anchors --


def seal_anchor(session: Session, day: date, now: datetime) -> ChainAnchorRow | None:
    """Seal the heads of the chains that moved since the last anchor, as ``day``'s anchor; None if
    that day is sealed already."""
    if session.get(ChainAnchorRow, day) is not None:
        return None
    last = session.exec(select(ChainAnchorRow).order_by(col(ChainAnchorRow.day).desc())).first()
    after, prev_root = (last.upto_event_id, last.root) if last else (0, GENESIS)
    upto = session.exec(select(func.max(CaseEventRow.id))).one() or after
    moved = select(CaseEventRow.case_id).where(col(CaseEventRow.id) > after, col(CaseEventRow.id) <= upto).distinct()
    heads: dict[str, tuple[int, str]] = {}
    latest = (
        select(CaseEventRow.case_id, func.max(CaseEventRow.seq).label("seq"))
        .where(col(CaseEventRow.case_id).in_(moved), col(CaseEventRow.hash).is_not(None))
        .group_by(CaseEventRow.case_id)
        .subquery()
    )
    for case_id, seq, h in session.exec(
        select(CaseEventRow.case_id, CaseEventRow.seq, CaseEventRow.hash).join(
            latest, sa.and_(CaseEventRow.case_id == latest.c.case_id, CaseEventRow.seq == latest.c.seq)
        )
    ):
        heads[f"{CASE_CHAIN}{case_id}"] = (seq, h)
    sealed = _sealed_ledger_heads(session)
    for chain in LEDGERS:
        head = session.exec(
            select(LedgerEntryRow).where(LedgerEntryRow.chain == chain).order_by(col(LedgerEntryRow.seq).desc())
        ).first()
        if head is not None and sealed.get(chain) != head.seq:
            heads[f"{LEDGER_CHAIN}{chain}"] = (head.seq, head.hash)
    row = ChainAnchorRow(
        day=day,
        sealed_at=now,
        upto_event_id=upto,
        heads={k: list(v) for k, v in heads.items()},
        prev_root=prev_root,
        root=anchor_root(prev_root, heads),
    )
    session.add(row)
    return row


def _sealed_ledger_heads(session: Session) -> dict[str, int]:
    sealed: dict[str, int] = {}
    for heads in session.exec(select(ChainAnchorRow.heads)):
        for name, (pos, _) in heads.items():
            if name.startswith(LEDGER_CHAIN):
                chain = name.removeprefix(LEDGER_CHAIN)
                sealed[chain] = max(sealed.get(chain, 0), pos)
    return sealed


async def last_anchor_day(session: AsyncSession) -> date | None:
    return (await session.exec(select(func.max(ChainAnchorRow.day)))).one()


async def anchors(session: AsyncSession, since: date | None = None) -> list[ChainAnchorRow]:
    query = select(ChainAnchorRow).order_by(col(ChainAnchorRow.day))
    if since is not None:
        query = query.where(col(ChainAnchorRow.day) >= since)
    return list(await session.exec(query))


# -- Reads for verification --


async def case_chain(session: AsyncSession, case_id: str) -> list[ChainEntry]:
    rows = await session.exec(
        select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(col(CaseEventRow.seq))
    )
    return [ChainEntry(r.seq, row_content(r), r.prev_hash, r.hash) for r in rows]


_EVENT_COLUMNS = [
    CaseEventRow.__table__.c[name]
    for name in (
        "case_id",
        "seq",
        "at",
        "kind",
        "status",
        "actor_role",
        "actor_unit",
        "actor_key_id",
        "detail",
        "actor_person",
        "prev_hash",
        "hash",
    )
]


async def case_chains(session: AsyncSession, case_ids: list[str]) -> dict[str, list[ChainEntry]]:
    """Many cases' chains in one read (the verify of a whole city pages through them): plain rows,
    not ORM objects, which cost most of the time at 100,000 cases (bench/audit.py)."""
    chains: dict[str, list[ChainEntry]] = {c: [] for c in case_ids}
    rows = await session.exec(
        sa.select(*_EVENT_COLUMNS)
        .where(col(CaseEventRow.case_id).in_(case_ids))
        .order_by(col(CaseEventRow.case_id), col(CaseEventRow.seq))
    )
    for case_id, seq, at, kind, status, role, unit, key_id, detail, person, prev_hash, h in rows:
        content = event_content(case_id, seq, _utc(at), kind, status, role, unit, key_id, detail, person)
        chains[case_id].append(ChainEntry(seq, content, prev_hash, h))
    return chains


async def cases_with_events(session: AsyncSession, since: datetime | None, after: str, limit: int) -> list[str]:
    """Case ids (in order, after ``after``) that have an event at or after ``since``: a page. Walked
    by the cases' key, so each page stops at its limit (a DISTINCT over the events sorted them all
    for every page: 100,000 cases took minutes)."""
    has_events = select(CaseEventRow.id).where(CaseEventRow.case_id == CaseRow.id)
    if since is not None:
        has_events = has_events.where(col(CaseEventRow.at) >= since)
    query = select(CaseRow.id).where(col(CaseRow.id) > after, has_events.exists())
    return list(await session.exec(query.order_by(col(CaseRow.id)).limit(limit)))


async def event_hash_at(session: AsyncSession, case_id: str, seq: int) -> str | None:
    return (
        await session.exec(select(CaseEventRow.hash).where(CaseEventRow.case_id == case_id, CaseEventRow.seq == seq))
    ).first()


async def ledger(session: AsyncSession, chain: str) -> list[LedgerEntryRow]:
    rows = await session.exec(
        select(LedgerEntryRow).where(LedgerEntryRow.chain == chain).order_by(col(LedgerEntryRow.seq))
    )
    return list(rows)


async def current_versions(session: AsyncSession) -> dict[tuple[str, str], str]:
    """(ledger, subject) → the digest of the record as it stands in its table now."""
    versions: dict[tuple[str, str], str] = {}
    for m in await session.exec(select(MonthlyAssessmentRow)):
        versions[(ASSESSMENT_LEDGER, m.month)] = digest(m.result)
    for a in await session.exec(select(AccountabilityActionRow)):
        versions[(ACCOUNTABILITY_LEDGER, a.key)] = action_version(
            a.action, a.digest, a.revision, _utc(a.withdrawn_at) if a.withdrawn_at else None
        )
    return versions
