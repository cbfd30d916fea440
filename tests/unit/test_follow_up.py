"""The follow-up of an interview or referral (pure): its states, who may move them, and reminders."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.accountability import Step
from domain.case import ActionRefused, Actor, Role
from domain.follow_up import (
    DuePlan,
    FollowUpInput,
    FollowUpStatus,
    HoldInput,
    RectifyInput,
    ReminderKind,
    check_hold,
    follow_up_workflow_id,
    hold,
    mark_overdue,
    open_follow_up,
    rectify,
    remind,
)

OPENED = datetime(2026, 11, 1, 1, tzinfo=UTC)
LEADER = Actor(role=Role.leader, key_id="k_leader")
DUE = DuePlan(due_on=date(2026, 11, 20), due_at=datetime(2026, 11, 20, 16, tzinfo=UTC))
INTERVIEW = open_follow_up(
    FollowUpInput(
        key="2026-10:yatou:interview",
        month="2026-10",
        unit="yatou",
        name="崖头街道",
        step=Step.interview,
        opened_at=OPENED,
        hold_within_working_days=10,
        rectify_within_working_days=10,
        remind_before_due_working_days=2,
    )
)


def held_at(days: int = 3) -> HoldInput:
    return HoldInput(
        actor=LEADER, held_by="副市长 李某", held_at=OPENED + timedelta(days=days), notes="约谈记录", promises=("整改",)
    )


def test_an_interview_moves_from_scheduled_through_held_to_rectified() -> None:
    assert INTERVIEW.status is FollowUpStatus.scheduled
    now = OPENED + timedelta(days=4)
    due = hold(INTERVIEW, held_at(), now, DUE)
    assert due.status is FollowUpStatus.rectification_due
    assert (due.holding and due.holding.held_by, due.due_on) == ("副市长 李某", date(2026, 11, 20))
    assert [e.status for e in due.events] == [
        FollowUpStatus.scheduled,
        FollowUpStatus.held,
        FollowUpStatus.rectification_due,
    ]
    done = rectify(due, RectifyInput(actor=LEADER, notes="已整改"), now + timedelta(days=5))
    assert done.status is FollowUpStatus.rectified and done.rectification and not done.rectification.late


def test_only_city_leadership_moves_it() -> None:
    auditor = held_at().model_copy(update={"actor": Actor(role=Role.auditor)})
    with pytest.raises(ActionRefused) as refused:
        check_hold(INTERVIEW, auditor, OPENED + timedelta(days=4))
    assert refused.value.kind == "forbidden"


def test_a_transition_not_allowed_from_the_state_is_a_conflict_with_its_reason() -> None:
    with pytest.raises(ActionRefused, match="scheduled: nothing is due") as refused:
        rectify(INTERVIEW, RectifyInput(actor=LEADER, notes="x"), OPENED)
    assert refused.value.kind == "conflict"
    due = hold(INTERVIEW, held_at(), OPENED + timedelta(days=4), DUE)
    with pytest.raises(ActionRefused, match="not scheduled"):
        hold(due, held_at(), OPENED + timedelta(days=4), DUE)
    with pytest.raises(ActionRefused, match="in the future"):
        check_hold(INTERVIEW, held_at(10), OPENED + timedelta(days=4))
    with pytest.raises(ActionRefused, match="before the action was decided"):
        check_hold(INTERVIEW, held_at(-1), OPENED + timedelta(days=4))


def test_overdue_only_past_the_due_date_and_still_rectifiable_late() -> None:
    due = hold(INTERVIEW, held_at(), OPENED + timedelta(days=4), DUE)
    with pytest.raises(ActionRefused):
        mark_overdue(due, DUE.due_at - timedelta(seconds=1))
    with pytest.raises(ActionRefused):
        mark_overdue(INTERVIEW, DUE.due_at)
    overdue = mark_overdue(due, DUE.due_at)
    assert (overdue.status, overdue.overdue_at) == (FollowUpStatus.overdue, DUE.due_at)
    late = rectify(overdue, RectifyInput(actor=LEADER, notes="逾期整改"), DUE.due_at + timedelta(days=1))
    assert late.rectification is not None and late.rectification.late


def test_each_reminder_goes_out_once_and_only_while_it_applies() -> None:
    reminded = remind(INTERVIEW, ReminderKind.not_held, OPENED)
    assert reminded is not None and reminded.reminders == (ReminderKind.not_held,)
    assert remind(reminded, ReminderKind.not_held, OPENED) is None
    assert remind(INTERVIEW, ReminderKind.overdue, OPENED) is None  # nothing is due yet
    due = hold(reminded, held_at(), OPENED + timedelta(days=4), DUE)
    assert remind(due, ReminderKind.not_held, OPENED) is None


def test_the_workflow_id_is_one_per_action() -> None:
    assert follow_up_workflow_id("2026-10", "yatou", Step.interview) == "accountability-2026-10-yatou-interview"
