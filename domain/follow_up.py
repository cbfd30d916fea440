"""The follow-up of an interview (约谈) or a discipline referral (纪委监委介入): a record with its
state, moved by city leadership and by the clock. A public notice (通报批评) needs none.

States (ours: the report names the steps, not how they are followed up):

- **scheduled**: decided by the month's accountability step, not yet held;
- **held**: the city leader in charge held the interview (or the commission its talk): who held it,
  when, notes, what the unit promised;
- **rectification_due**: straight after ``held``, with a due date ``rectify_within_working_days``
  (``notices`` in config/assessment.yaml) working days after the day it was held;
- **rectified**: leadership recorded the rectification, on time or late (from ``overdue``);
- **overdue**: the due date passed without rectification.

Reminders (ours, ``follow_up`` in config/assessment.yaml): one when an action is not held within
``hold_within_working_days``; one ``remind_before_due_working_days`` before the due date; one when
the due date passes (and the action becomes overdue). Each kind is sent at most once.

Pure rules: the workflow applies them, the activities compute the calendar and write the record.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.accountability import Step
from domain.assessment import Month
from domain.case import ActionRefused, Actor, Role


class FollowUpStatus(StrEnum):
    scheduled = "scheduled"
    held = "held"
    rectification_due = "rectification_due"
    rectified = "rectified"
    overdue = "overdue"


class ReminderKind(StrEnum):
    not_held = "not_held"
    """Not held within ``hold_within_working_days`` of being decided."""
    due_soon = "due_soon"
    """The rectification is due within ``remind_before_due_working_days``."""
    overdue = "overdue"
    """The due date passed without rectification."""


FOLLOWED_UP = (Step.interview, Step.discipline_referral)
"""The steps with a follow-up record; a public notice is done once circulated."""


def follow_up_workflow_id(month: str, unit: str, step: Step) -> str:
    """One per action: the assessment's step starting it again (a re-run) finds it started."""
    return f"accountability-{month}-{unit}-{step.value}"


class FollowUpInput(BaseModel):
    """The follow-up workflow's input: the action, and the month's policy numbers it runs by."""

    key: str
    month: Month
    unit: str
    name: str
    step: Step
    opened_at: datetime
    hold_within_working_days: int = Field(ge=1)
    rectify_within_working_days: int = Field(ge=1)
    remind_before_due_working_days: int = Field(ge=0)


class Holding(BaseModel):
    model_config = ConfigDict(frozen=True)
    held_by: str
    """The leader who held it (a name and post, as written by leadership)."""
    held_at: datetime
    notes: str
    promises: tuple[str, ...]
    """What the unit promised to rectify."""
    recorded_by: Actor


class Rectification(BaseModel):
    model_config = ConfigDict(frozen=True)
    at: datetime
    notes: str
    late: bool
    """Recorded after the action became overdue."""
    recorded_by: Actor


class FollowUpEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    at: datetime
    status: FollowUpStatus | None = None
    """The state entered; None for a reminder."""
    reminder: ReminderKind | None = None
    by: Actor | None = None
    """None: the clock."""


class FollowUp(BaseModel):
    model_config = ConfigDict(frozen=True)
    key: str
    month: Month
    unit: str
    name: str
    step: Step
    status: FollowUpStatus
    opened_at: datetime
    hold_by: datetime | None = None
    """When the not-held reminder goes out (end of the last working day to hold it)."""
    holding: Holding | None = None
    due_on: date | None = None
    """The last working day to rectify, in the city's zone."""
    due_at: datetime | None = None
    """The end of ``due_on``: overdue from this instant."""
    remind_at: datetime | None = None
    """When the due-soon reminder goes out (None: not at all)."""
    rectification: Rectification | None = None
    overdue_at: datetime | None = None
    reminders: tuple[ReminderKind, ...] = ()
    events: tuple[FollowUpEvent, ...] = ()
    """Every state entered and reminder sent, oldest first: the record an auditor reads."""


class HoldInput(BaseModel):
    """Leadership records that the interview (or referral talk) was held."""

    actor: Actor
    held_by: str = Field(min_length=1, max_length=200)
    held_at: datetime
    notes: str = Field(min_length=1, max_length=4000)
    promises: tuple[str, ...] = Field(min_length=1, max_length=50)


class RectifyInput(BaseModel):
    """Leadership records that the unit rectified what it promised."""

    actor: Actor
    notes: str = Field(min_length=1, max_length=4000)


class DuePlan(BaseModel):
    """A due date worked out on the working-day calendar (by an activity)."""

    due_on: date
    due_at: datetime
    remind_at: datetime | None = None


def open_follow_up(inp: FollowUpInput) -> FollowUp:
    return FollowUp(
        key=inp.key,
        month=inp.month,
        unit=inp.unit,
        name=inp.name,
        step=inp.step,
        status=FollowUpStatus.scheduled,
        opened_at=inp.opened_at,
        events=(FollowUpEvent(at=inp.opened_at, status=FollowUpStatus.scheduled),),
    )


def _leader(actor: Actor) -> None:
    if actor.role is not Role.leader:
        raise ActionRefused("forbidden", f"city leadership moves a follow-up; this is a {actor.role} key")


def check_hold(state: FollowUp, inp: HoldInput, now: datetime) -> None:
    _leader(inp.actor)
    if state.status is not FollowUpStatus.scheduled:
        raise ActionRefused(
            "conflict", f"the {state.step.value} of {state.unit} is {state.status.value}, not scheduled"
        )
    if inp.held_at > now:
        raise ActionRefused("conflict", "held_at is in the future")
    if inp.held_at < state.opened_at:
        raise ActionRefused("conflict", "held_at is before the action was decided")


def hold(state: FollowUp, inp: HoldInput, now: datetime, due: DuePlan) -> FollowUp:
    """Held, then at once rectification due by ``due``: both states are in the record."""
    check_hold(state, inp, now)
    holding = Holding(
        held_by=inp.held_by, held_at=inp.held_at, notes=inp.notes, promises=inp.promises, recorded_by=inp.actor
    )
    return state.model_copy(
        update={
            "status": FollowUpStatus.rectification_due,
            "holding": holding,
            "due_on": due.due_on,
            "due_at": due.due_at,
            "remind_at": due.remind_at,
            "events": (
                *state.events,
                FollowUpEvent(at=now, status=FollowUpStatus.held, by=inp.actor),
                FollowUpEvent(at=now, status=FollowUpStatus.rectification_due, by=inp.actor),
            ),
        }
    )


def check_rectify(state: FollowUp, inp: RectifyInput) -> None:
    _leader(inp.actor)
    if state.status not in (FollowUpStatus.rectification_due, FollowUpStatus.overdue):
        raise ActionRefused(
            "conflict", f"the {state.step.value} of {state.unit} is {state.status.value}: nothing is due to rectify"
        )


def rectify(state: FollowUp, inp: RectifyInput, now: datetime) -> FollowUp:
    check_rectify(state, inp)
    late = state.status is FollowUpStatus.overdue
    return state.model_copy(
        update={
            "status": FollowUpStatus.rectified,
            "rectification": Rectification(at=now, notes=inp.notes, late=late, recorded_by=inp.actor),
            "events": (*state.events, FollowUpEvent(at=now, status=FollowUpStatus.rectified, by=inp.actor)),
        }
    )


def mark_overdue(state: FollowUp, now: datetime) -> FollowUp:
    """The due date passed without rectification (the clock, not a person)."""
    if state.status is not FollowUpStatus.rectification_due or state.due_at is None or now < state.due_at:
        raise ActionRefused("conflict", f"the {state.step.value} of {state.unit} is not past its due date")
    return state.model_copy(
        update={
            "status": FollowUpStatus.overdue,
            "overdue_at": now,
            "events": (*state.events, FollowUpEvent(at=now, status=FollowUpStatus.overdue)),
        }
    )


def remind(state: FollowUp, kind: ReminderKind, now: datetime) -> FollowUp | None:
    """The state with the reminder noted, or None when it went out already or no longer applies."""
    applies = {
        ReminderKind.not_held: state.status is FollowUpStatus.scheduled,
        ReminderKind.due_soon: state.status is FollowUpStatus.rectification_due,
        ReminderKind.overdue: state.status is FollowUpStatus.overdue,
    }[kind]
    if kind in state.reminders or not applies:
        return None
    return state.model_copy(
        update={
            "reminders": (*state.reminders, kind),
            "events": (*state.events, FollowUpEvent(at=now, reminder=kind)),
        }
    )
