"""The follow-up of one interview (约谈) or discipline referral (纪委监委介入), from the month's
accountability step to its rectification: ``AccountabilityFollowUpWorkflow``, one per action, id
``accountability-YYYY-MM-<unit>-<step>``, started by ``AssessMonthWorkflow`` (once: a re-run finds
it started).

City leadership moves it by updates with validators (``hold``, ``rectify``): a refused transition
never enters the history. The clock moves it by timers, so reminders survive restarts:

- not held within ``hold_within_working_days`` → a reminder (once);
- ``remind_before_due_working_days`` before the due date → a reminder (once);
- the due date passes unrectified → overdue, with a reminder (once); it may still be rectified.

Every state is written to the record (``accountability_follow_ups``) by an activity; a write that
finds the action withdrawn by a re-run ends the follow-up. The rules are in ``domain.follow_up``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.follow_up import FollowUpActivities, PlanDueInput, RecordFollowUpInput
    from domain.case import ActionRefused
    from domain.follow_up import (
        DuePlan,
        FollowUp,
        FollowUpInput,
        FollowUpStatus,
        HoldInput,
        RectifyInput,
        ReminderKind,
        check_hold,
        check_rectify,
        hold,
        mark_overdue,
        open_follow_up,
        rectify,
        remind,
    )
    from workflows.ranking import RETRY

STEP_TIMEOUT = timedelta(seconds=30)
SETTLED = (FollowUpStatus.rectified,)


def _refused(refusal: ActionRefused) -> ApplicationError:
    """A refusal as the update's typed failure: the API answers 403 or 409 with its reason."""
    return ApplicationError(refusal.message, type=refusal.kind, non_retryable=True)


@workflow.defn
class AccountabilityFollowUpWorkflow:
    @workflow.init
    def __init__(self, inp: FollowUpInput) -> None:
        # Built before any update is delivered, so validators always see a state.
        self._input = inp
        self.state = open_follow_up(inp)
        self._withdrawn = False
        # One transition at a time: the clock's and leadership's each await a write.
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, inp: FollowUpInput) -> FollowUp:
        hold_by = await self._plan(PlanDueInput(start=inp.opened_at, working_days=inp.hold_within_working_days))
        async with self._lock:
            await self._write(self.state.model_copy(update={"hold_by": hold_by.due_at}))
        if not await self._until(lambda: self.state.status is not FollowUpStatus.scheduled, hold_by.due_at):
            await self._remind(ReminderKind.not_held)
            await workflow.wait_condition(lambda: self._withdrawn or self.state.status is not FollowUpStatus.scheduled)
        if self.state.status is FollowUpStatus.rectification_due and self.state.due_at is not None:
            remind_at = self.state.remind_at
            if remind_at is not None and not await self._until(self._rectified, remind_at):
                await self._remind(ReminderKind.due_soon)
            if not await self._until(self._rectified, self.state.due_at):
                await self._overdue()
        await workflow.wait_condition(lambda: self._withdrawn or self._rectified())
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    @workflow.query
    def follow_up(self) -> FollowUp:
        return self.state

    @workflow.update
    async def hold(self, inp: HoldInput) -> FollowUp:
        """Leadership records that the interview (or referral talk) was held: the rectification is
        then due ``rectify_within_working_days`` working days after the day it was held."""
        due = await self._plan(
            PlanDueInput(
                start=inp.held_at,
                working_days=self._input.rectify_within_working_days,
                remind_before_working_days=self._input.remind_before_due_working_days,
            )
        )
        async with self._lock:
            try:
                after = hold(self.state, inp, workflow.now(), due)
            except ActionRefused as refusal:  # another transition came first
                raise _refused(refusal) from None
            await self._write(after, refuse_withdrawn=True)
        return self.state

    @hold.validator
    def _validate_hold(self, inp: HoldInput) -> None:
        try:
            check_hold(self.state, inp, workflow.now())
        except ActionRefused as refusal:
            raise _refused(refusal) from None

    @workflow.update
    async def rectify(self, inp: RectifyInput) -> FollowUp:
        """Leadership records the unit's rectification, on time or late (after overdue)."""
        async with self._lock:
            try:
                after = rectify(self.state, inp, workflow.now())
            except ActionRefused as refusal:
                raise _refused(refusal) from None
            await self._write(after, refuse_withdrawn=True)
        return self.state

    @rectify.validator
    def _validate_rectify(self, inp: RectifyInput) -> None:
        try:
            check_rectify(self.state, inp)
        except ActionRefused as refusal:
            raise _refused(refusal) from None

    def _rectified(self) -> bool:
        return self._withdrawn or self.state.status in SETTLED

    async def _until(self, done: Callable[[], bool], at: datetime) -> bool:
        """Wait for ``done`` until ``at``; whether it came (a timer, so a restart keeps it)."""
        while not done() and workflow.now() < at:
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(done, timeout=at - workflow.now())
        return done()

    async def _plan(self, inp: PlanDueInput) -> DuePlan:
        return await workflow.execute_activity_method(
            FollowUpActivities.plan_due, inp, start_to_close_timeout=STEP_TIMEOUT, retry_policy=RETRY
        )

    async def _write(
        self, after: FollowUp, reminder: ReminderKind | None = None, refuse_withdrawn: bool = False
    ) -> None:
        recorded = await workflow.execute_activity_method(
            FollowUpActivities.record,
            RecordFollowUpInput(state=after, at=workflow.now(), reminder=reminder),
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=RETRY,
        )
        if recorded.withdrawn:
            self._withdrawn = True
            if refuse_withdrawn:
                raise ApplicationError("a re-run withdrew this action", type="conflict", non_retryable=True)
            return
        self.state = after

    async def _remind(self, kind: ReminderKind) -> None:
        async with self._lock:
            after = remind(self.state, kind, workflow.now())
            if after is not None and not self._withdrawn:
                await self._write(after, kind)

    async def _overdue(self) -> None:
        async with self._lock:
            if self.state.status is not FollowUpStatus.rectification_due or self._withdrawn:
                return  # rectified while the lock was held
            overdue = mark_overdue(self.state, workflow.now())
            after = remind(overdue, ReminderKind.overdue, workflow.now()) or overdue
            await self._write(after, ReminderKind.overdue)
