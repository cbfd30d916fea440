"""The follow-up workflow's activities: working-day arithmetic (the calendar is data a city edits,
and zones are not for workflows), and writing the record with its reminders."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from pydantic import BaseModel, Field
from temporalio import activity

from domain.deadlines import Timing
from domain.follow_up import DuePlan, FollowUp, ReminderKind
from persistence.db import Database
from persistence.follow_ups import record_follow_up

log = structlog.get_logger(__name__)


class PlanDueInput(BaseModel):
    start: datetime
    working_days: int = Field(ge=1)
    remind_before_working_days: int = Field(default=0, ge=0)
    """0: no reminder before the due date."""


class RecordFollowUpInput(BaseModel):
    state: FollowUp
    at: datetime
    reminder: ReminderKind | None = None
    """A reminder to send with this write (its kind is sent once per action)."""


class FollowUpRecorded(BaseModel):
    withdrawn: bool = False
    """A re-run withdrew the action: nothing was written, and the follow-up ends."""


class FollowUpActivities:
    def __init__(self, db: Database, timing: Timing, api_url: str = "") -> None:
        self.db = db
        self.timing = timing
        self.api_url = api_url

    @activity.defn(name="plan_follow_up_due")
    async def plan_due(self, inp: PlanDueInput) -> DuePlan:
        """The end of the Nth working day after ``start``'s day in the city's zone, and the end of
        the working day ``remind_before_working_days`` before it (none when that is not after
        ``start``'s day)."""
        calendar, zone = self.timing.calendar, self.timing.zone
        due_at, _ = calendar.working_days_after(inp.start, inp.working_days, zone)
        remind_at = None
        ahead = inp.working_days - inp.remind_before_working_days
        if inp.remind_before_working_days and ahead >= 1:
            remind_at, _ = calendar.working_days_after(inp.start, ahead, zone)
        due_on = (due_at.astimezone(zone) - timedelta(microseconds=1)).date()
        return DuePlan(due_on=due_on, due_at=due_at, remind_at=remind_at)

    @activity.defn(name="record_follow_up")
    async def record(self, inp: RecordFollowUpInput) -> FollowUpRecorded:
        state = inp.state
        written = await self.db.write(
            lambda session: record_follow_up(session, state, inp.at, inp.reminder, self.api_url)
        )
        if not written:
            log.info("follow-up of a withdrawn action: ends", month=state.month, unit=state.unit, step=state.step.value)
            return FollowUpRecorded(withdrawn=True)
        log.info(
            "follow-up recorded",
            month=state.month,
            unit=state.unit,
            step=state.step.value,
            status=state.status.value,
            reminder=inp.reminder.value if inp.reminder else None,
        )
        return FollowUpRecorded()
