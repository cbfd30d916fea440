"""Storing a month's assessment (one transaction, via ``Database.write``): its result and bottom
lists, each accountability action with a revision, a notice version (kept, never overwritten) and
its notifications in the outbox under a key that carries the revision, so a repeated or resumed run
never sends an unchanged action again, and a change, even back to an earlier state (A → B → A,
withdrawn → restored), is sent once more.

Concurrent runs: the month's streaks are read from the bottom lists of the months before it; the
write checks, under a lock, that those lists are still what was read (``StaleHistory`` if not: the
caller reads again), and answers the first later month already assessed, which a re-run assesses
next."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from domain.accountability import AccountabilityAction, MonthAccountability
from domain.assessment import MonthlyAssessment
from domain.notifications import DEFAULT_NOTIFICATIONS, NotificationPolicy
from persistence import audit
from persistence.models import (
    AccountabilityActionRow,
    AssessmentRerunRow,
    MonthBottomRow,
    MonthlyAssessmentRow,
    NoticeRow,
)
from persistence.outbox import add_once
from reports.notices import NoticeDocument, NoticeInput, WithdrawalInput, render_notice, render_withdrawal


def _digest(action: AccountabilityAction, result: MonthlyAssessment) -> str:
    """Of the action and what its notice is written from (the month's policy): the same on the same
    data, so an unchanged action is not circulated again."""
    policy = result.policy.model_dump_json(include={"full_marks", "accountability", "notices"})
    return hashlib.sha256(action.model_dump_json().encode() + policy.encode()).hexdigest()


def _notification(key: str, recipient: str, subject: str, body: dict[str, str], now: datetime) -> dict[str, Any]:
    return {"dedupe_key": key, "recipient": recipient, "subject": subject, "body": body, "created_at": now}


def _standing(result: MonthlyAssessment) -> dict[str, tuple[str | None, int | None]]:
    return {u.unit: (None if u.score is None else str(u.score), u.rank) for u in result.units}


class StaleHistory(Exception):
    """The bottom lists of the months before changed between the read and the write (another run
    stored one of them): assess the month again from what is stored now."""


@dataclass(frozen=True)
class StoreMonthInput:
    """What ``store_month`` writes: the month's result and accountability, the bottom lists they
    were computed from (as read, to check), and how to date and link the notices."""

    result: MonthlyAssessment
    accountability: MonthAccountability
    history: dict[str, list[dict[str, Any]]]
    """``bottoms_before`` as read."""
    now: datetime
    issued_on: date
    """Today in the city's zone: the issue date of the notice versions written now."""
    rerun_id: int | None = None
    api_url: str = ""
    """Where the API answers (``Settings.api_url``): the notifications' links are absolute."""
    notifications: NotificationPolicy = DEFAULT_NOTIFICATIONS
    """Who is told of each step (``config/notifications.yaml``)."""


@dataclass(frozen=True)
class StoredMonth:
    changed: list[dict[str, Any]] = field(default_factory=list)
    """The units whose score, rank or actions changed from what was stored before."""
    already_assessed: bool = False
    """Not a re-run, and the month was stored already: nothing written."""
    next_assessed: str | None = None
    revisions: dict[str, int] = field(default_factory=dict)
    """The actions given a new revision (new, corrected, restored or withdrawn), by key."""


def _check_history(session: Session, month: str, read: dict[str, list[dict[str, Any]]]) -> None:
    query = select(MonthBottomRow).where(col(MonthBottomRow.month) < month)
    if session.get_bind().dialect.name == "postgresql":
        # Held to the commit: a run re-storing an earlier month waits for this one, then finds this
        # month assessed (``next_assessed``) and assesses it again.
        query = query.with_for_update()
    now = {r.month: list(r.entries) for r in session.exec(query).all()}
    if now != read:
        changed = sorted(m for m in now.keys() | read.keys() if now.get(m) != read.get(m))
        raise StaleHistory(f"{month}: the bottom lists of {', '.join(changed)} changed since they were read")


def _next_assessed(session: Session, month: str) -> str | None:
    return session.exec(
        select(func.min(MonthlyAssessmentRow.month)).where(col(MonthlyAssessmentRow.month) > month)
    ).one()


def _links(api_url: str, key: str, revision: int) -> dict[str, str]:
    base = f"{api_url.rstrip('/')}/v1/notices/{key}"
    return {"notice_markdown": f"{base}.md?revision={revision}", "notice_pdf": f"{base}.pdf?revision={revision}"}


def add_notice(session: Session, month: str, unit: str, document: NoticeDocument) -> None:
    """A version of a notice document, as circulated (accountability and typical inaction alike)."""
    session.add(
        NoticeRow(
            key=document.key,
            revision=document.revision,
            month=month,
            unit_code=unit,
            status=document.status.value,
            title=document.title,
            filename=document.filename,
            issued_on=document.issued_on,
            markdown=document.markdown,
            pdf=document.pdf,
        )
    )


def store_month(session: Session, inp: StoreMonthInput) -> StoredMonth:
    """Store the month's result (one transaction, via ``Database.write``); answer what changed.

    Outside a leader's re-run a month already stored is kept as it is. An action unchanged since
    it was last circulated is left alone; a new, changed or restored one gets the next revision,
    a notice version (更正 from revision 2) and its messages; one the result no longer has is
    withdrawn: the next revision, a 撤销 notice and messages. Nothing is overwritten."""
    result, accountability, now = inp.result, inp.accountability, inp.now
    month = result.month
    _check_history(session, month, inp.history)
    before_row = session.get(MonthlyAssessmentRow, month)
    if before_row is not None and inp.rerun_id is None:
        return StoredMonth(already_assessed=True, next_assessed=_next_assessed(session, month))
    before = _standing(MonthlyAssessment.model_validate(before_row.result)) if before_row else {}
    old_actions = {
        r.key: r
        for r in session.exec(select(AccountabilityActionRow).where(AccountabilityActionRow.month == month)).all()
    }
    last_issued = {
        key: issued_on
        for key, issued_on in session.exec(
            select(NoticeRow.key, func.max(NoticeRow.issued_on)).where(NoticeRow.month == month).group_by(NoticeRow.key)
        ).all()
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

    outbox: list[dict[str, Any]] = []
    revisions: dict[str, int] = {}
    decided = {a.key for a in accountability.actions}
    for order, action in enumerate(accountability.actions):
        digest = _digest(action, result)
        # ``order``: the decided order (towns then departments, worst first), for listing.
        action_json = action.model_dump(mode="json") | {"order": order}
        old = old_actions.get(action.key)
        if old is not None and old.withdrawn_at is None and old.digest == digest:
            if old.action != action_json:  # the order only
                old.action = action_json
                session.add(old)
            continue
        revision = 1 if old is None else old.revision + 1
        values = {
            "month": month,
            "unit_code": action.unit,
            "kind": action.kind.value,
            "step": action.step.value,
            "streak": action.streak,
            "action": action_json,
            "digest": digest,
            "revision": revision,
            "updated_at": now,
            "withdrawn_at": None,
        }
        if old is None:
            session.add(AccountabilityActionRow(key=action.key, created_at=now, **values))
        else:
            for name, value in values.items():
                setattr(old, name, value)
            session.add(old)
        document = render_notice(
            NoticeInput(
                action=action,
                policy=result.policy,
                revision=revision,
                issued_on=inp.issued_on,
                replaces=last_issued.get(action.key),
            )
        )
        add_notice(session, month, action.unit, document)
        revisions[action.key] = revision
        body = {
            "month": month,
            "unit": action.unit,
            "step": action.step.value,
            "streak": str(action.streak),
            "action_key": action.key,
            "revision": str(revision),
            "status": document.status.value,
            "title": document.title,
            **_links(inp.api_url, action.key, revision),
        }
        outbox += [
            _notification(f"accountability:{action.key}:r{revision}", r, document.title, body, now)
            for r in inp.notifications.recipients(action.step, action.unit)
        ]
    # An action a corrected month no longer has is kept for the record, marked, and withdrawn from
    # the recipients who were told of it by a 撤销 notice, its last version.
    for key, row in old_actions.items():
        if key in decided or row.withdrawn_at is not None:
            continue
        revision = row.revision + 1
        row.withdrawn_at, row.revision, row.updated_at = now, revision, now
        session.add(row)
        document = render_withdrawal(
            WithdrawalInput(
                action=AccountabilityAction.model_validate(row.action),
                policy=result.policy,
                revision=revision,
                issued_on=inp.issued_on,
                replaces=last_issued.get(key, inp.issued_on),
            )
        )
        add_notice(session, month, row.unit_code, document)
        revisions[key] = revision
        body = {
            "month": month,
            "unit": row.unit_code,
            "step": row.step,
            "action_key": key,
            "revision": str(revision),
            "status": document.status.value,
            "withdrawn": "true",
            "title": document.title,
            **_links(inp.api_url, key, revision),
        }
        outbox += [
            _notification(f"accountability:{key}:r{revision}", r, document.title, body, now)
            for r in inp.notifications.recipients(row.step, row.unit_code)
        ]
    add_once(session, outbox)

    after = _standing(result)
    steps_after: dict[str, set[str]] = defaultdict(set)
    for action in accountability.actions:
        steps_after[action.unit].add(action.step.value)
    changed = [
        {
            "unit": unit,
            "score_before": before.get(unit, (None, None))[0],
            "score_after": after[unit][0],
            "rank_before": before.get(unit, (None, None))[1],
            "rank_after": after[unit][1],
            "actions_before": sorted(steps_before[unit]),
            "actions_after": sorted(steps_after[unit]),
        }
        for unit in after
        if before_row and (before.get(unit) != after[unit] or steps_before[unit] != steps_after[unit])
    ]
    if inp.rerun_id is not None:
        rerun = session.get(AssessmentRerunRow, inp.rerun_id)
        # First write wins: a retried step after a commit would find nothing changed.
        if rerun is not None and month not in rerun.changes:
            rerun.changes = rerun.changes | {month: changed}
            session.add(rerun)
    session.flush()
    audit.record_month_versions(session, month, now)
    return StoredMonth(changed=changed, next_assessed=_next_assessed(session, month), revisions=revisions)
