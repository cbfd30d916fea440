"""The monthly assessment (月度考核) and accountability (问责), run by the ``monthly-assessment``
Schedule at 01:00 on the 1st in the city's zone for the month before.

``MonthlyAssessmentWorkflow`` decides which months to assess and assesses them in order, each as
its own child ``AssessMonthWorkflow`` with the id ``monthly-assessment-YYYY-MM``: one workflow id
per month, under which every run of that month is found (scheduled, backfilled, re-run). Months
run one after the other because each month's streaks read the bottom lists of the months before.

- A scheduled run (or a backfill, a trigger, an explicit month) assesses the months of its
  catch-up window and its target that have no assessment yet, oldest first, and never assesses a
  month again: only a leader's re-run does, recorded.
- A leader's re-run assesses its month, then the next month already assessed, and so on, each
  read when the month before is stored (a month another run assessed meanwhile is included).
- Runs may overlap (a re-run while the Schedule's run is going): a run that finds a month being
  assessed by another (its child id taken) waits for it, then assesses it (a re-run) or finds it
  done (any other run). The step's write checks that the months before are still what it read.
- A month whose figures fail validation fails alone (non-retryable, named in the log and the
  UI); the run goes on with the later months, then ends failed, naming it.

Each month is one activity that stores its result in one transaction, idempotently: a worker or
server killed mid-run resumes it, and the step run again stores the same rows and sends nothing
twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, ChildWorkflowError, WorkflowAlreadyStartedError

with workflow.unsafe.imports_passed_through():
    from activities.assessment import (
        INVALID_MONTH_DATA,
        AssessmentActivities,
        AssessMonthInput,
        MonthAssessed,
        MonthsToAssessInput,
    )
    from domain.assessment import MonthlyAssessmentInput
    from domain.follow_up import follow_up_workflow_id
    from workflows.follow_up import AccountabilityFollowUpWorkflow
    from workflows.ranking import RETRY, SCHEDULED_START

MONTH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    maximum_interval=timedelta(minutes=5),
    maximum_attempts=30,  # about two hours of a database away; then the month fails and is named
    non_retryable_error_types=[INVALID_MONTH_DATA],
)
FOLLOW_UPS = "accountability-follow-ups"
"""The patch that starts a follow-up workflow per interview and referral: months assessed before
it replay without."""
BUSY_WAIT = timedelta(seconds=15)
"""How long a run waits before trying again a month another run is assessing."""


def month_workflow_id(month: str) -> str:
    return f"monthly-assessment-{month}"


def _failure(error: BaseException) -> str:
    """The step's own words: the first application error under the child's failure."""
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, ApplicationError):
        cause = cause.__cause__
    return (cause.message if isinstance(cause, ApplicationError) else None) or str(error)


@workflow.defn
class AssessMonthWorkflow:
    @workflow.run
    async def run(self, inp: AssessMonthInput) -> MonthAssessed:
        done = await workflow.execute_activity_method(
            AssessmentActivities.assess_month,
            inp,
            start_to_close_timeout=timedelta(minutes=10),
            # A worker killed mid-step is noticed in seconds, not at the step's time limit; the step
            # heartbeats every few seconds while it waits, on SQLite's write lock too.
            heartbeat_timeout=timedelta(seconds=30),
            retry_policy=MONTH_RETRY,
        )
        if done.follow_ups and workflow.patched(FOLLOW_UPS):
            for follow_up in done.follow_ups:
                try:
                    # Abandoned: a follow-up outlives the month's run by weeks.
                    await workflow.start_child_workflow(
                        AccountabilityFollowUpWorkflow.run,
                        follow_up,
                        id=follow_up_workflow_id(follow_up.month, follow_up.unit, follow_up.step),
                        parent_close_policy=workflow.ParentClosePolicy.ABANDON,
                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    )
                except WorkflowAlreadyStartedError:
                    # A re-run of the month: the action's follow-up goes on as it was.
                    workflow.logger.info("follow-up already started", extra={"key": follow_up.key})
        return done


@workflow.defn
class MonthlyAssessmentWorkflow:
    @workflow.run
    async def run(self, inp: MonthlyAssessmentInput) -> list[MonthAssessed]:
        # The time the Schedule meant, not when the run started: a run started late by a catch-up
        # still assesses the month it was for.
        scheduled_at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        rerun = inp.rerun_id is not None
        months = await workflow.execute_activity_method(
            AssessmentActivities.months_to_assess,
            MonthsToAssessInput(
                scheduled_at=scheduled_at, month=inp.month, catch_up_months=inp.catch_up_months, rerun=rerun
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RETRY,
        )
        assessed: list[MonthAssessed] = []
        while months:
            month = months.pop(0)
            done = await self._assess(AssessMonthInput(month=month, rerun_id=inp.rerun_id))
            assessed.append(done)
            # A re-run goes on to the next month assessed, as found when this one was stored.
            if rerun and done.next_assessed and done.next_assessed not in months and done.next_assessed > month:
                months = sorted({*months, done.next_assessed})
        failed = [f"{d.month}: {d.failed}" for d in assessed if d.failed]
        if failed:
            # The later months were assessed all the same; the run ends failed, so that it shows.
            raise ApplicationError(
                "months not assessed: " + "; ".join(failed),
                [d.model_dump(mode="json") for d in assessed],
                type="MonthsNotAssessed",
                non_retryable=True,
            )
        return assessed

    async def _assess(self, inp: AssessMonthInput) -> MonthAssessed:
        while True:
            try:
                return await workflow.execute_child_workflow(
                    AssessMonthWorkflow.run, inp, id=month_workflow_id(inp.month)
                )
            except WorkflowAlreadyStartedError:
                # Another run is assessing this month: wait for it, then go again (a re-run assesses
                # it after the other run; any other run then finds it assessed and keeps it).
                workflow.logger.info("month being assessed by another run; waiting", extra={"month": inp.month})
                await workflow.sleep(BUSY_WAIT)
            except ChildWorkflowError as error:
                message = _failure(error)
                workflow.logger.error("month could not be assessed", extra={"month": inp.month, "error": message})
                return MonthAssessed(month=inp.month, units_assessed=0, actions=0, changed_units=(), failed=message)
