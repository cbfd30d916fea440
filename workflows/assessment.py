"""The monthly assessment (月度考核) and accountability (问责), run by the ``monthly-assessment``
Schedule at 01:00 on the 1st in the city's zone for the month before.

``MonthlyAssessmentWorkflow`` decides which months to assess (the month before the time the run
was scheduled for, after any missed months of the catch-up window, oldest first; or, for a
leader's re-run, the month and every later month already assessed) and assesses them in order,
each as its own child ``AssessMonthWorkflow`` with the id ``monthly-assessment-YYYY-MM``: one
workflow id per month, under which every run of that month is found (scheduled, backfilled,
re-run). Months run one after the other because each month's streaks read the bottom lists of
the months before.

Each month is one activity that stores its result in one transaction, idempotently: a worker or
server killed mid-run resumes it, and the step run again stores the same rows and sends nothing
twice.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from activities.assessment import AssessmentActivities
    from domain.assessment import AssessMonthInput, MonthAssessed, MonthlyAssessmentInput, MonthsToAssessInput

SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))


def month_workflow_id(month: str) -> str:
    return f"monthly-assessment-{month}"


@workflow.defn
class AssessMonthWorkflow:
    @workflow.run
    async def run(self, inp: AssessMonthInput) -> MonthAssessed:
        return await workflow.execute_activity_method(
            AssessmentActivities.assess_month,
            inp,
            start_to_close_timeout=timedelta(minutes=10),
            # A worker killed mid-step is noticed in seconds, not at the step's time limit.
            heartbeat_timeout=timedelta(seconds=20),
            retry_policy=RETRY,
        )


@workflow.defn
class MonthlyAssessmentWorkflow:
    @workflow.run
    async def run(self, inp: MonthlyAssessmentInput) -> list[MonthAssessed]:
        # The time the Schedule meant, not when the run started: a run started late by a catch-up
        # still assesses the month it was for.
        scheduled_at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        months = await workflow.execute_activity_method(
            AssessmentActivities.months_to_assess,
            MonthsToAssessInput(
                scheduled_at=scheduled_at, month=inp.month, catch_up_months=inp.catch_up_months,
                rerun=inp.rerun_id is not None,
            ),  # fmt: skip
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RETRY,
        )
        assessed = []
        for month in months:
            assessed.append(
                await workflow.execute_child_workflow(
                    AssessMonthWorkflow.run,
                    AssessMonthInput(month=month, rerun_id=inp.rerun_id),
                    id=month_workflow_id(month),
                )
            )
        return assessed
