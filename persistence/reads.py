"""Who read citizens' personal data through the API (谁看了什么), and the erasure of it from closed
cases past the retention period."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import CaseRow, PersonalDataReadRow, RequestRow

ERASED = "[已删除]"
"""What stands in a name, phone or address after erasure (the columns are not nullable)."""


def record_read(session: Session, key_id: str, role: str, case_id: str | None, what: str, at: datetime) -> None:
    session.add(PersonalDataReadRow(key_id=key_id, role=role, case_id=case_id, what=what, at=at))


async def reads_of_case(session: AsyncSession, case_id: str | None) -> list[PersonalDataReadRow]:
    """The reads of a case's personal data, oldest first (None: those of the codec endpoint)."""
    which = col(PersonalDataReadRow.case_id)
    rows = await session.exec(
        select(PersonalDataReadRow)
        .where(which.is_(None) if case_id is None else which == case_id)
        .order_by(col(PersonalDataReadRow.at), col(PersonalDataReadRow.id))
    )
    return list(rows)


def erase_personal_data(session: Session, closed_before: datetime, now: datetime, limit: int) -> list[str]:
    """Erase the names, phones and addresses of up to ``limit`` cases closed before
    ``closed_before`` and not erased yet; answer their ids. The figures (times, statuses, units,
    outcomes) and the timeline, which carry none of them, stay as they are."""
    case_ids = list(
        session.exec(
            select(CaseRow.id)
            .where(
                col(CaseRow.status).in_(("closed", "merged")),
                col(CaseRow.closed_at) < closed_before,
                col(CaseRow.personal_data_erased_at).is_(None),
            )
            .order_by(col(CaseRow.closed_at))
            .limit(limit)
        )
    )
    if case_ids:
        session.exec(
            sa.update(RequestRow)
            .where(col(RequestRow.case_id).in_(case_ids))
            .values(citizen_name=ERASED, citizen_phone=ERASED, address=ERASED, lat=None, lon=None, house_number=None)
        )
        session.exec(sa.update(CaseRow).where(col(CaseRow.id).in_(case_ids)).values(personal_data_erased_at=now))
    return case_ids
