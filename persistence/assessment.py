"""The monthly assessment's reads and writes.

Reads are aggregated in SQL: one grouped query per figure over an indexed time range (a month, or a
month of the analysis period), never a loop over cases. Writes are idempotent: storing a month
replaces its assessment, bottom lists, actions and notices in one transaction, actions are unique
by key, and each action's notification goes to the outbox in that same transaction under a key
that carries the action's digest, so a repeated or resumed run never sends an unchanged action
again, and a corrected one is sent once more.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.accountability import AccountabilityAction, MonthAccountability, MonthBottom, Step
from domain.analysis import MatterMonth
from domain.assessment import MonthlyAssessment
from minsheng.notices import NoticeDocument
from persistence.db import Database
from persistence.models import (
    AccountabilityActionRow,
    AssessmentRerunRow,
    CallbackRow,
    CaseEventRow,
    CaseRow,
    MonthBottomRow,
    MonthlyAssessmentRow,
    NoticeRow,
    OutboxRow,
    RequestRow,
    SlipRow,
    SummonsRow,
)
from persistence.repo import DISCIPLINE_RECORD, LEADERSHIP, dialect_insert


def _count(condition: Any) -> Any:
    return func.coalesce(func.sum(sa.case((condition, 1), else_=0)), 0)


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

    # Volume: each case dispatched to the unit in the month, and each case it shared by responding
    # to a whistle in the month; UNION counts a case once per unit.
    dispatched = select(
        col(CaseEventRow.detail)["unit"].as_string().label("unit"), col(CaseEventRow.case_id).label("case_id")
    ).where(col(CaseEventRow.kind) == "dispatched", col(CaseEventRow.at) >= start, col(CaseEventRow.at) < end)
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
            _count(col(SlipRow.kind) == "reminder"),
            _count(col(SlipRow.kind) == "supervision"),
            _count(col(SlipRow.kind) == "warning"),
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
            CaseRow.domain_code, CaseRow.matter_type_code, RequestRow.town_code,
            *(_count(col(CallbackRow.answer) == a) for a in ("satisfied", "basically_satisfied", "dissatisfied")),
        )  # fmt: skip
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
            CaseRow.domain_code, CaseRow.matter_type_code, col(CaseRow.on_time).label("on_time"),
            func.min(RequestRow.town_code).label("town"),
        )  # fmt: skip
        .join(RequestRow, col(RequestRow.case_id) == col(CaseRow.id))
        .where(col(CaseRow.replied_at) >= start, col(CaseRow.replied_at) < end, classified)
        .group_by(CaseRow.id, CaseRow.domain_code, CaseRow.matter_type_code, CaseRow.on_time)
        .subquery()
    )
    replied = await session.exec(
        select(per_case.c.domain_code, per_case.c.matter_type_code, per_case.c.town, func.count(), _count(per_case.c.on_time.is_(True)))
        .group_by(per_case.c.domain_code, per_case.c.matter_type_code, per_case.c.town)
    )  # fmt: skip
    for domain, matter, town, n, on_time in replied.all():
        rows[(domain, matter, town)].update(replied=n, on_time=on_time)

    return [
        MatterMonth(month=month, domain=domain, matter_type=matter, town=town, **({"requests": 0} | {k: int(v) for k, v in f.items()}))
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


async def bottoms_before(session: AsyncSession, month: str) -> tuple[MonthBottom, ...]:
    """Every stored bottom list before ``month`` (one small row a month): a streak may be long."""
    rows = await session.exec(select(MonthBottomRow).where(col(MonthBottomRow.month) < month))
    return tuple(MonthBottom(month=r.month, entries=tuple(r.entries)) for r in rows.all())


async def actions_of(session: AsyncSession, month: str, withdrawn: bool = False) -> list[AccountabilityActionRow]:
    """The month's actions in the order they were decided (towns then departments, worst first)."""
    query = select(AccountabilityActionRow).where(AccountabilityActionRow.month == month)
    if not withdrawn:
        query = query.where(col(AccountabilityActionRow.withdrawn_at).is_(None))
    rows = list((await session.exec(query)).all())
    return sorted(rows, key=lambda r: (r.withdrawn_at is not None, int(r.action.get("order", 0)), r.key))


async def notice(session: AsyncSession, key: str) -> NoticeRow | None:
    return await session.get(NoticeRow, key)


async def reruns_of(session: AsyncSession, month: str) -> list[AssessmentRerunRow]:
    rows = await session.exec(
        select(AssessmentRerunRow).where(AssessmentRerunRow.month == month).order_by(col(AssessmentRerunRow.id))
    )
    return list(rows.all())


async def add_rerun(db: Database, month: str, reason: str, actor_key_id: str | None, now: datetime) -> AssessmentRerunRow:
    """Record a leader's re-run; its workflow id is made from the row's id."""

    def work(session: Session) -> AssessmentRerunRow:
        row = AssessmentRerunRow(month=month, reason=reason, actor_key_id=actor_key_id, requested_at=now, workflow_id="")
        session.add(row)
        session.flush()
        row.workflow_id = f"monthly-assessment-rerun-{row.id}"
        session.flush()
        return row

    return await db.write(work)


# ---- storing a month ----


def _recipients(step: Step, unit: str) -> list[str]:
    """The unit and city leadership; a referral also to the discipline commission."""
    return [unit, LEADERSHIP] + ([DISCIPLINE_RECORD] if step is Step.discipline_referral else [])


def _digest(action: AccountabilityAction, document: NoticeDocument) -> str:
    return hashlib.sha256(action.model_dump_json().encode() + document.markdown.encode()).hexdigest()


def _notification(key: str, recipient: str, subject: str, body: dict[str, str], now: datetime) -> dict[str, Any]:
    return {"dedupe_key": key, "recipient": recipient, "subject": subject, "body": body, "created_at": now}


def _standing(result: MonthlyAssessment) -> dict[str, tuple[str | None, int | None]]:
    return {u.unit: (None if u.score is None else str(u.score), u.rank) for u in result.units}


def store_month(
    session: Session,
    result: MonthlyAssessment,
    accountability: MonthAccountability,
    documents: list[NoticeDocument],
    rerun_id: int | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Replace the month's rows with this result (one transaction, via ``Database.write``); answer
    the units whose score, rank or actions changed from what was stored before."""
    month = result.month
    before_row = session.get(MonthlyAssessmentRow, month)
    before = _standing(MonthlyAssessment.model_validate(before_row.result)) if before_row else {}
    old_actions = {
        r.key: r
        for r in session.exec(select(AccountabilityActionRow).where(AccountabilityActionRow.month == month)).all()
    }
    steps_before: dict[str, set[str]] = defaultdict(set)
    for row in old_actions.values():
        if row.withdrawn_at is None:
            steps_before[row.unit_code].add(row.step)
    result_json = result.model_dump(mode="json")
    if before_row:
        before_row.result, before_row.assessed_at = result_json, now
    else:
        session.add(MonthlyAssessmentRow(month=month, result=result_json, assessed_at=now))
    bottom = session.get(MonthBottomRow, month)
    entries = [e.model_dump(mode="json") for e in accountability.bottom.entries]
    if bottom:
        bottom.entries = entries
    else:
        session.add(MonthBottomRow(month=month, entries=entries))

    by_key = {d.key: d for d in documents}
    outbox: list[dict[str, Any]] = []
    for order, action in enumerate(accountability.actions):
        document = by_key[action.key]
        digest = _digest(action, document)
        # ``order``: the decided order (towns then departments, worst first), for listing.
        values = {
            "month": month, "unit_code": action.unit, "kind": action.kind.value, "step": action.step.value,
            "streak": action.streak, "action": action.model_dump(mode="json") | {"order": order}, "digest": digest,
            "updated_at": now, "withdrawn_at": None,
        }  # fmt: skip
        stmt = dialect_insert(session, AccountabilityActionRow).values(key=action.key, created_at=now, **values)
        session.exec(stmt.on_conflict_do_update(index_elements=["key"], set_=values))
        notice_values = {
            "month": month, "title": document.title, "filename": document.filename, "issued_on": document.issued_on,
            "markdown": document.markdown, "pdf": document.pdf,
        }  # fmt: skip
        stmt = dialect_insert(session, NoticeRow).values(key=action.key, **notice_values)
        session.exec(stmt.on_conflict_do_update(index_elements=["key"], set_=notice_values))
        body = {
            "month": month, "unit": action.unit, "step": action.step.value, "streak": str(action.streak),
            "action_key": action.key, "title": document.title,
            "notice_markdown": f"/v1/notices/{action.key}.md", "notice_pdf": f"/v1/notices/{action.key}.pdf",
        }  # fmt: skip
        outbox += [
            _notification(f"accountability:{action.key}:{digest[:16]}", r, document.title, body, now)
            for r in _recipients(action.step, action.unit)
        ]
    # An action a corrected month no longer has is kept for the record, marked, and withdrawn from
    # the recipients who were told of it.
    for key, row in old_actions.items():
        if key not in by_key and row.withdrawn_at is None:
            row.withdrawn_at = now
            session.add(row)
            body = {"month": month, "unit": row.unit_code, "step": row.step, "action_key": key, "withdrawn": "true"}
            outbox += [
                _notification(f"accountability-withdrawn:{key}:{row.digest[:16]}", r, f"撤销：{key}", body, now)
                for r in _recipients(Step(row.step), row.unit_code)
            ]
    if outbox:
        session.exec(
            dialect_insert(session, OutboxRow).values(outbox).on_conflict_do_nothing(index_elements=["dedupe_key", "recipient"])
        )

    after = _standing(result)
    steps_after: dict[str, set[str]] = defaultdict(set)
    for action in accountability.actions:
        steps_after[action.unit].add(action.step.value)
    changed = [
        {
            "unit": unit, "score_before": before.get(unit, (None, None))[0], "score_after": after[unit][0],
            "rank_before": before.get(unit, (None, None))[1], "rank_after": after[unit][1],
            "actions_before": sorted(steps_before[unit]), "actions_after": sorted(steps_after[unit]),
        }  # fmt: skip
        for unit in after
        if before_row and (before.get(unit) != after[unit] or steps_before[unit] != steps_after[unit])
    ]
    if rerun_id is not None:
        rerun = session.get(AssessmentRerunRow, rerun_id)
        # First write wins: a retried step after a commit would find nothing changed.
        if rerun is not None and month not in rerun.changes:
            rerun.changes = rerun.changes | {month: changed}
            session.add(rerun)
    session.flush()
    return changed
