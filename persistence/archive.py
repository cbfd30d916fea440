"""The archive of closed cases' histories: which cases are still to archive, the record of what
was archived (each run's object key and hash), and the reads of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import ArchivedCaseRow, ArchivedRunRow, CaseRow
from persistence.sql import dialect_insert

ENDED = ("closed", "merged")
"""Statuses after which a case's workflow ends (a closed one after its late-joiner window)."""


@dataclass(frozen=True)
class ArchivedRun:
    run_id: str
    ordinal: int
    key: str
    sha256: str
    size: int
    events: int
    started_at: datetime
    closed_at: datetime


async def unarchived_closed_cases(session: AsyncSession, after: str, limit: int) -> list[str]:
    archived = select(ArchivedCaseRow.case_id)
    rows = await session.exec(
        select(CaseRow.id)
        .where(col(CaseRow.status).in_(ENDED), col(CaseRow.id) > after, col(CaseRow.id).not_in(archived))
        .order_by(col(CaseRow.id))
        .limit(limit)
    )
    return list(rows)


def record_archived(session: Session, case_id: str, runs: list[ArchivedRun], now: datetime) -> None:
    """The case's runs and the case as archived, together; a repeated export adds nothing."""
    session.exec(
        dialect_insert(session, ArchivedRunRow)
        .values([{"case_id": case_id, "archived_at": now, **r.__dict__} for r in runs])
        .on_conflict_do_nothing(index_elements=["case_id", "run_id"])
    )
    session.exec(
        dialect_insert(session, ArchivedCaseRow)
        .values(case_id=case_id, runs=len(runs), archived_at=now)
        .on_conflict_do_nothing(index_elements=["case_id"])
    )


async def archived_runs(session: AsyncSession, case_id: str) -> list[ArchivedRunRow]:
    rows = await session.exec(
        select(ArchivedRunRow).where(ArchivedRunRow.case_id == case_id).order_by(col(ArchivedRunRow.ordinal))
    )
    return list(rows)
