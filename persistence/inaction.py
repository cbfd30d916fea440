"""Typical inaction marks (典型不作为): a leader's marking of a case, stored once with who, when and
why, the unit and the month it counts in; its city-wide notice (a ``notices`` version, served like
the monthly notices) and its notifications, all in one transaction. The month's assessment reads
the marks of that month only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.assessment import NoticePolicy
from domain.inaction import CaseStep, month_counted, unit_held
from domain.notifications import NotificationKind, NotificationPolicy
from domain.reference import ReferenceData
from persistence.accountability import add_notice
from persistence.models import CaseEventRow, CaseRow, InactionMarkRow
from persistence.outbox import add_notifications
from reports.inaction import InactionNoticeInput, render_inaction_notice


class NoSuchCase(LookupError):
    pass


@dataclass(frozen=True)
class Marking:
    case_id: str
    reason: str
    actor_key_id: str | None
    now: datetime
    zone: ZoneInfo
    reference: ReferenceData
    notices: NoticePolicy
    notifications: NotificationPolicy
    api_url: str = ""


def _steps(rows: list[CaseEventRow]) -> tuple[CaseStep, ...]:
    return tuple(
        CaseStep(
            seq=r.seq,
            at=r.at,
            kind=r.kind,
            actor_role=r.actor_role,
            actor_unit=r.actor_unit,
            detail={k: v for k, v in r.detail.items() if isinstance(v, str)},
        )
        for r in rows
    )


def mark_case(session: Session, m: Marking) -> InactionMarkRow:
    """Mark the case (``InactionRefused`` if it cannot be, ``NoSuchCase`` if there is none)."""
    case = session.get(CaseRow, m.case_id)
    if case is None:
        raise NoSuchCase(m.case_id)
    unit = unit_held(case.unit_code, session.get(InactionMarkRow, m.case_id) is not None)
    month = month_counted(m.now, m.zone)
    events = session.exec(
        select(CaseEventRow).where(CaseEventRow.case_id == m.case_id).order_by(col(CaseEventRow.seq))
    ).all()
    names = {code: u.name for code, u in m.reference.units.items()}
    matter = m.reference.matter_types.get(case.matter_type_code or "")
    document = render_inaction_notice(
        InactionNoticeInput(
            case_id=m.case_id,
            unit=unit,
            unit_name=names.get(unit, unit),
            month=month,
            reason=m.reason,
            marked_at=m.now,
            issued_on=m.now.astimezone(m.zone).date(),
            tier=case.tier,
            matter_type=matter.name if matter else None,
            steps=_steps(list(events)),
            unit_names=names,
            zone=m.zone.key,
            policy=m.notices,
        )
    )
    row = InactionMarkRow(
        case_id=m.case_id,
        unit_code=unit,
        month=month,
        reason=m.reason,
        actor_key_id=m.actor_key_id,
        marked_at=m.now,
        notice_key=document.key,
    )
    session.add(row)
    add_notice(session, month, unit, document)
    base = f"{m.api_url.rstrip('/')}/v1/notices/{document.key}"
    body = {
        "case_id": m.case_id,
        "unit": unit,
        "month": month,
        "kind": NotificationKind.typical_inaction.value,
        "title": document.title,
        "notice_markdown": f"{base}.md",
        "notice_pdf": f"{base}.pdf",
    }
    recipients = m.notifications.recipients(NotificationKind.typical_inaction, unit)
    add_notifications(session, f"typical_inaction:{m.case_id}", recipients, document.title, body, m.now)
    session.flush()
    return row


async def inaction_counts(session: AsyncSession, month: str) -> dict[str, int]:
    """Per unit, the cases marked as typical inaction that count in ``month``."""
    rows = await session.exec(
        select(InactionMarkRow.unit_code, func.count())
        .where(InactionMarkRow.month == month)
        .group_by(InactionMarkRow.unit_code)
    )
    return {unit: int(n) for unit, n in rows.all()}


async def marks_of_month(session: AsyncSession, month: str) -> list[InactionMarkRow]:
    rows = await session.exec(
        select(InactionMarkRow).where(InactionMarkRow.month == month).order_by(col(InactionMarkRow.marked_at))
    )
    return list(rows.all())
