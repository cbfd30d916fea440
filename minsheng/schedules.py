"""Temporal Schedules: the daily ranking, created or brought up to date by ``minsheng schedules
apply`` (``make run`` calls it), so that running it again changes nothing but what was edited."""

from __future__ import annotations

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.indicators import RankingInput
from minsheng.settings import Settings
from workflows.ranking import DailyRankingWorkflow

DAILY_RANKING = "daily-ranking"
CATCH_UP = timedelta(days=7)
"""Runs missed while the server was down are started when it is back, up to a week late; the
workflow itself fills in any day still missing within its own catch-up window."""


def daily_ranking_schedule(settings: Settings) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DailyRankingWorkflow.run,
            RankingInput(),
            id=DAILY_RANKING,
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(cron_expressions=[settings.ranking_schedule], time_zone_name=settings.timezone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE, catchup_window=CATCH_UP),
    )


async def apply_schedules(client: Client, settings: Settings) -> list[str]:
    """Create the schedules that are missing and update the ones that exist; say what was done."""
    schedule = daily_ranking_schedule(settings)
    when = f"cron {settings.ranking_schedule!r} in {settings.timezone}"
    try:
        await client.create_schedule(DAILY_RANKING, schedule)
        return [f"schedule {DAILY_RANKING} created: {when}"]
    except ScheduleAlreadyRunningError:
        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(DAILY_RANKING).update(update)
        return [f"schedule {DAILY_RANKING} updated: {when}"]
