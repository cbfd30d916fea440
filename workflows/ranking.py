"""DailyRankingWorkflow: the units' indicators and ranking (绩效排名) for a day and its month to
date, run by the ``daily-ranking`` Schedule at 00:30 in the city's zone for the day before.

Idempotent per day (a day computed again replaces its rows), and it catches up: each run also
computes the days of the catch-up window that have no ranking, so a day missed while the worker or
the server was down is filled in by the next run, on top of the Schedule's own catch-up window.
Then it watches the targets (``config/targets.yaml``) over their windows ending on the last day.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from activities.ranking import DayRanked, RankDayInput, RankingActivities, RankingDaysInput, WatchInput
    from domain.indicators import RankingInput

SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))
TARGETS_PATCH = "targets-watched"
"""After the ranking, the targets are watched over their windows; runs from before replay without."""


@workflow.defn
class DailyRankingWorkflow:
    @workflow.run
    async def run(self, inp: RankingInput) -> list[DayRanked]:
        # The time the Schedule meant, not when the run started: a run started late by a catch-up
        # still ranks the day it was for.
        scheduled_at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        days = await workflow.execute_activity_method(
            RankingActivities.days_to_rank,
            RankingDaysInput(scheduled_at=scheduled_at, day=inp.day, catch_up_days=inp.catch_up_days),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RETRY,
        )
        ranked = []
        for day in days:
            ranked.append(
                await workflow.execute_activity_method(
                    RankingActivities.rank_day,
                    RankDayInput(day=day),
                    start_to_close_timeout=timedelta(minutes=10),
                    retry_policy=RETRY,
                )
            )
        if days and workflow.patched(TARGETS_PATCH):
            await workflow.execute_activity_method(
                RankingActivities.watch_targets,
                WatchInput(day=max(days)),
                start_to_close_timeout=timedelta(minutes=10),
                retry_policy=RETRY,
            )
        return ranked
