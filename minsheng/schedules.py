"""Temporal Schedules: the daily ranking, the monthly assessment and the case archive, created or brought up to date
by ``minsheng schedules apply`` (``make run`` calls it), so that running it again changes nothing
but what was edited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel
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

from activities.archive import ArchiveInput
from domain.assessment import MonthlyAssessmentInput
from domain.indicators import RankingInput
from minsheng.settings import Settings
from workflows.archive import CaseArchiveWorkflow
from workflows.assessment import MonthlyAssessmentWorkflow
from workflows.ranking import DailyRankingWorkflow

DAILY_RANKING = "daily-ranking"
CATCH_UP = timedelta(days=7)
"""Runs missed while the server was down are started when it is back, up to a week late; the
workflow itself fills in any day still missing within its own catch-up window."""
CASE_ARCHIVE = "case-archive"
ARCHIVE_CATCH_UP = timedelta(days=1)
"""A missed archive run is made up only once: each run exports every case still waiting."""
MONTHLY_ASSESSMENT = "monthly-assessment"
MONTHLY_CATCH_UP = timedelta(days=31)
"""A monthly run missed while the server was down is started when it is back, up to a month late;
the workflow itself backfills the months of its own catch-up window that have no assessment."""


def _schedule(
    settings: Settings, run: Any, inp: BaseModel, workflow_id: str, cron: str, catch_up: timedelta
) -> Schedule:
    """A workflow started on a cron in the city's zone; one run at a time, a missed one made up
    within ``catch_up``."""
    return Schedule(
        action=ScheduleActionStartWorkflow(run, inp, id=workflow_id, task_queue=settings.task_queue),
        spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=settings.timezone),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE, catchup_window=catch_up),
    )


def daily_ranking_schedule(settings: Settings) -> Schedule:
    return _schedule(
        settings, DailyRankingWorkflow.run, RankingInput(), DAILY_RANKING, settings.ranking_schedule, CATCH_UP
    )


def monthly_assessment_schedule(settings: Settings) -> Schedule:
    return _schedule(
        settings,
        MonthlyAssessmentWorkflow.run,
        MonthlyAssessmentInput(),
        MONTHLY_ASSESSMENT,
        settings.assessment_schedule,
        MONTHLY_CATCH_UP,
    )


def case_archive_schedule(settings: Settings) -> Schedule:
    return _schedule(
        settings, CaseArchiveWorkflow.run, ArchiveInput(), CASE_ARCHIVE, settings.archive_schedule, ARCHIVE_CATCH_UP
    )


async def _apply(client: Client, schedule_id: str, schedule: Schedule, when: str) -> str:
    try:
        await client.create_schedule(schedule_id, schedule)
        return f"schedule {schedule_id} created: {when}"
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(schedule_id).update(update)
        return f"schedule {schedule_id} updated: {when}"


async def apply_schedules(client: Client, settings: Settings) -> list[str]:
    """Create the schedules that are missing and update the ones that exist; say what was done."""
    return [
        await _apply(
            client,
            DAILY_RANKING,
            daily_ranking_schedule(settings),
            f"cron {settings.ranking_schedule!r} in {settings.timezone}",
        ),
        await _apply(
            client,
            MONTHLY_ASSESSMENT,
            monthly_assessment_schedule(settings),
            f"cron {settings.assessment_schedule!r} in {settings.timezone}",
        ),
        await _apply(
            client,
            CASE_ARCHIVE,
            case_archive_schedule(settings),
            f"cron {settings.archive_schedule!r} in {settings.timezone}",
        ),
    ]
