"""The monthly assessment's reads, and leaders' re-runs. Storing a month is in ``accountability``.

Reads are aggregated in SQL: one grouped query per figure over an indexed time range (a month, or a
month of the analysis period), never a loop over cases. Storing a month replaces its assessment and
bottom lists; each accountability action carries a revision, raised whenever a re-run changes it
(its digest differs from the one last circulated), withdraws it or restores it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accountability import MonthBottom
from domain.analysis import MatterMonth
from domain.assessment import MonthlyAssessment
from persistence.models import (
    AccountabilityActionRow,
    AssessmentRerunRow,
    CallbackRow,
    CaseEventRow,
    CaseRow,
    MonthBottomRow,
    MonthlyAssessmentRow,
    NoticeRow,
    RequestRow,
    SlipRow,
    SummonsRow,
)
from persistence.sql import count_when

# ---- figures of a month ----


@dataclass(frozen=True)
class UnitFigures:
    """A unit's month beyond the indicators' counts (those are ``ranking.unit_counts``)."""

    cases: int = 0
    ratings: int = 0
    speed_total: int = 0
    quality_total: int = 0
    reminder_slips: int = 0
    supervision_slips: int = 0
    warning_slips: int = 0


async def unit_figures(session: AsyncSession, start: datetime, end: datetime) -> dict[str, UnitFigures]:
    """Per unit, for [start, end): its case volume, the whistle ratings it received and the slips
    issued to it. Units with nothing are absent."""
    figures: dict[str, dict[str, int]] = defaultdict(dict)

    # Volume: each case the unit accepted (签收) in the month, and each case it shared by responding
    # to a whistle in the month; UNION counts a case once per unit. A case it returned (退办) is not
    # its work and does not count.
    dispatched = select(col(CaseEventRow.actor_unit).label("unit"), col(CaseEventRow.case_id).label("case_id")).where(
        col(CaseEventRow.kind) == "accepted",
        col(CaseEventRow.actor_unit).is_not(None),
        col(CaseEventRow.at) >= start,
        col(CaseEventRow.at) < end,
    )
    shared = select(col(SummonsRow.unit).label("unit"), col(SummonsRow.case_id).label("case_id")).where(
        col(SummonsRow.status) == "responded",
        col(SummonsRow.responded_at) >= start,
        col(SummonsRow.responded_at) < end,
        col(SummonsRow.unit) != col(SummonsRow.lead_unit),
    )
    volume = sa.union(dispatched, shared).subquery()
    for unit, n in (await session.exec(select(volume.c.unit, func.count()).group_by(volume.c.unit))).all():
        figures[unit]["cases"] = n

    # Ratings the unit received as a responding unit, by when the whistler rated.
    ratings = await session.exec(
        select(SummonsRow.unit, func.count(), func.sum(SummonsRow.speed), func.sum(SummonsRow.quality))
        .where(
            col(SummonsRow.rated_at) >= start,
            col(SummonsRow.rated_at) < end,
            col(SummonsRow.speed).is_not(None),
            col(SummonsRow.quality).is_not(None),
        )
        .group_by(SummonsRow.unit)
    )
    for unit, n, speed, quality in ratings.all():
        figures[unit].update(ratings=n, speed_total=int(speed), quality_total=int(quality))

    # Slips by kind (a whistle's missed response is a supervision slip already).
    slips = await session.exec(
        select(
            SlipRow.unit_code,
            count_when(col(SlipRow.kind) == "reminder"),
            count_when(col(SlipRow.kind) == "supervision"),
            count_when(col(SlipRow.kind) == "warning"),
        )
        .where(col(SlipRow.issued_at) >= start, col(SlipRow.issued_at) < end)
        .group_by(SlipRow.unit_code)
    )
    for unit, reminder, supervision, warning in slips.all():
        figures[unit].update(reminder_slips=reminder, supervision_slips=supervision, warning_slips=warning)

    return {unit: UnitFigures(**{k: int(v) for k, v in f.items()}) for unit, f in figures.items()}


async def matter_months(session: AsyncSession, month: str, start: datetime, end: datetime) -> list[MatterMonth]:
    """One month's analysis rows per domain, matter type and town of the location."""
    rows: dict[tuple[str, str, str | None], dict[str, int]] = defaultdict(dict)
    classified = col(CaseRow.matter_type_code).is_not(None)

    received = await session.exec(
        select(CaseRow.domain_code, CaseRow.matter_type_code, RequestRow.town_code, func.count())
        .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
        .where(col(RequestRow.received_at) >= start, col(RequestRow.received_at) < end, classified)
        .group_by(CaseRow.domain_code, CaseRow.matter_type_code, RequestRow.town_code)
    )
    for domain, matter, town, n in received.all():
        rows[(domain, matter, town)]["requests"] = n

    # The final answers of the last round of the cases closed in the month, each citizen by the
    # town of their own request.
    answers = await session.exec(
        select(
            CaseRow.domain_code,
            CaseRow.matter_type_code,
            RequestRow.town_code,
            *(count_when(col(CallbackRow.answer) == a) for a in ("satisfied", "basically_satisfied", "dissatisfied")),
        )
        .join(
            CallbackRow,
            sa.and_(
                col(CallbackRow.case_id) == col(CaseRow.id),
                col(CallbackRow.round) == col(CaseRow.callback_round),
                col(CallbackRow.final).is_(True),
            ),
        )
        .join(RequestRow, col(RequestRow.id) == col(CallbackRow.request_id))
        .where(col(CaseRow.closed_at) >= start, col(CaseRow.closed_at) < end, classified)
        .group_by(CaseRow.domain_code, CaseRow.matter_type_code, RequestRow.town_code)
    )
    for domain, matter, town, s, b, d in answers.all():
        rows[(domain, matter, town)].update(satisfied=s, basically_satisfied=b, dissatisfied=d)

    # A case replied in the month counts once, in the town of its first request's location.
    per_case = (
        select(
            CaseRow.domain_code,
            CaseRow.matter_type_code,
            col(CaseRow.on_time).label("on_time"),
            func.min(RequestRow.town_code).label("town"),
        )
        .join(RequestRow, col(RequestRow.case_id) == col(CaseRow.id))
        .where(col(CaseRow.replied_at) >= start, col(CaseRow.replied_at) < end, classified)
        .group_by(CaseRow.id, CaseRow.domain_code, CaseRow.matter_type_code, CaseRow.on_time)
        .subquery()
    )
    replied = await session.exec(
        select(
            per_case.c.domain_code,
            per_case.c.matter_type_code,
            per_case.c.town,
            func.count(),
            count_when(per_case.c.on_time.is_(True)),
        ).group_by(per_case.c.domain_code, per_case.c.matter_type_code, per_case.c.town)
    )
    for domain, matter, town, n, on_time in replied.all():
        rows[(domain, matter, town)].update(replied=n, on_time=on_time)

    return [
        MatterMonth(
            month=month,
            domain=domain,
            matter_type=matter,
            town=town,
            **({"requests": 0} | {k: int(v) for k, v in f.items()}),
        )
        for (domain, matter, town), f in rows.items()
    ]


# ---- stored months ----


async def assessed_months(session: AsyncSession) -> set[str]:
    return set((await session.exec(select(MonthlyAssessmentRow.month))).all())


async def stored_assessment(session: AsyncSession, month: str) -> MonthlyAssessment | None:
    row = await session.get(MonthlyAssessmentRow, month)
    return MonthlyAssessment.model_validate(row.result) if row else None


async def assessment_row(session: AsyncSession, month: str) -> MonthlyAssessmentRow | None:
    return await session.get(MonthlyAssessmentRow, month)


async def bottoms_before(session: AsyncSession, month: str) -> dict[str, list[dict[str, Any]]]:
    """Every stored bottom list before ``month`` (one small row a month: a streak may be long), as
    stored; ``history`` makes them ``MonthBottom``s, and ``store_month`` checks them unchanged."""
    rows = await session.exec(select(MonthBottomRow).where(col(MonthBottomRow.month) < month))
    return {r.month: list(r.entries) for r in rows.all()}


def history(stored: dict[str, list[dict[str, Any]]]) -> tuple[MonthBottom, ...]:
    return tuple(MonthBottom(month=m, entries=tuple(entries)) for m, entries in sorted(stored.items()))


async def actions_of(session: AsyncSession, month: str, withdrawn: bool = False) -> list[AccountabilityActionRow]:
    """The month's actions in the order they were decided (towns then departments, worst first)."""
    query = select(AccountabilityActionRow).where(AccountabilityActionRow.month == month)
    if not withdrawn:
        query = query.where(col(AccountabilityActionRow.withdrawn_at).is_(None))
    rows = list((await session.exec(query)).all())
    return sorted(rows, key=lambda r: (r.withdrawn_at is not None, int(r.action.get("order", 0)), r.key))


async def notice(session: AsyncSession, key: str, revision: int | None = None) -> NoticeRow | None:
    """A version of an action's notice; without ``revision``, the latest."""
    query = select(NoticeRow).where(NoticeRow.key == key)
    if revision is not None:
        query = query.where(NoticeRow.revision == revision)
    return (await session.exec(query.order_by(col(NoticeRow.revision).desc()).limit(1))).first()


async def notice_versions(session: AsyncSession, month: str) -> dict[str, list[NoticeRow]]:
    """The month's notice versions by action key, oldest first (without the documents' bodies)."""
    rows = await session.exec(
        select(NoticeRow.key, NoticeRow.revision, NoticeRow.status, NoticeRow.issued_on)
        .where(NoticeRow.month == month)
        .order_by(col(NoticeRow.key), col(NoticeRow.revision))
    )
    out: dict[str, list[Any]] = defaultdict(list)
    for row in rows.all():
        out[row.key].append(row)
    return out


async def reruns_of(session: AsyncSession, month: str) -> list[AssessmentRerunRow]:
    rows = await session.exec(
        select(AssessmentRerunRow).where(AssessmentRerunRow.month == month).order_by(col(AssessmentRerunRow.id))
    )
    return list(rows.all())


def remove_rerun(session: Session, rerun_id: int) -> None:
    """A re-run whose workflow could not be started: it did not happen, so it is not recorded."""
    row = session.get(AssessmentRerunRow, rerun_id)
    if row is not None:
        session.delete(row)


def add_rerun(session: Session, month: str, reason: str, actor_key_id: str | None, now: datetime) -> AssessmentRerunRow:
    """Record a leader's re-run; its workflow id is made from the row's id."""
    row = AssessmentRerunRow(month=month, reason=reason, actor_key_id=actor_key_id, requested_at=now, workflow_id="")
    session.add(row)
    session.flush()
    row.workflow_id = f"monthly-assessment-rerun-{row.id}"
    session.flush()
    return row
