"""The daily ranking: its workflow computing a day from known rows (figures checked by hand), on
SQLite and PostgreSQL; the catch-up of missed days; and the Schedule that runs it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select
from temporalio.client import ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from domain.indicators import RankingInput
from minsheng.schedules import CASE_ARCHIVE, DAILY_RANKING, MONTHLY_ASSESSMENT, apply_schedules
from minsheng.settings import Settings
from persistence import ranking
from persistence.db import Database
from persistence.models import UnitIndicatorRow
from tests.helpers import SHANGHAI, eventually
from tests.scenarios.ranking import DAY, known_rows, load, run_ranking
from worker import build_worker

pytestmark = pytest.mark.timeout(90)


async def rows_of(db: Database, day: date, period: str) -> dict[str, UnitIndicatorRow]:
    async with db.session() as session:
        return {r.unit_code: r for r in await ranking.ranking(session, day, period, None)}


async def test_a_day_ranked_from_known_rows(time_env: WorkflowEnvironment, db: Database, settings: Settings) -> None:
    await load(db, known_rows())
    async with build_worker(time_env.client, settings, db):
        assert await run_ranking(time_env.client, settings, RankingInput(day=DAY, catch_up_days=0)) == [DAY]
        day = await rows_of(db, DAY, "day")

        # yatou: satisfaction (S 2: C1 and C3's second round; B 1; unreachable aside) = 3/3; closure: C1, C2
        # of C1, C2, C4 due = 2/3; return: 1 of 4 decisions; on time: C1, C3 of 3 replied.
        y = day["yatou"]
        assert (y.satisfied, y.basically_satisfied, y.dissatisfied, y.unreachable) == (2, 1, 0, 1)
        assert (y.due, y.closed_by_end, y.accepted, y.returned, y.replied, y.on_time, y.handling_days) == (
            3,
            2,
            3,
            1,
            3,
            2,
            6,
        )
        assert (y.satisfaction_rate, y.return_rate, y.average_handling_days) == (1.0, 0.25, 2.0)
        assert y.closure_rate == pytest.approx(2 / 3) and y.on_time_rate == pytest.approx(2 / 3)
        assert y.score == pytest.approx(0.7 * 1 + 0.2 * 2 / 3 + 0.1 * 0.75)  # 0.9083
        # hrss_bureau responded to the whistle on C2: it shares C2 (B 1, unreachable 1; due and replied).
        h = day["hrss_bureau"]
        assert (h.satisfaction_rate, h.closure_rate, h.return_rate, h.score) == (1.0, 1.0, None, pytest.approx(1.0))
        # chengxi: C5 dissatisfied; C5 due and replied; accepted C5 and C6, returned none.
        c = day["chengxi"]
        assert (c.satisfaction_rate, c.closure_rate, c.return_rate) == (0.0, 1.0, 0.0)
        assert c.score == pytest.approx(0.3)
        # Released from the whistle: no share. Nothing counted: not ranked.
        assert day["urban_management_bureau"].score is None and day["urban_management_bureau"].rank_all is None

        assert [(u, day[u].rank_all, day[u].rank_in_kind) for u in ("hrss_bureau", "yatou", "chengxi")] == [
            ("hrss_bureau", 1, 1),
            ("yatou", 2, 1),
            ("chengxi", 3, 2),
        ]
        assert sum(r.rank_all is not None for r in day.values()) == 3 and len(day) == len(settings.reference.units)

        # The month to date adds C7 (the day before) for chengxi: S 1 of 2, closure 2/2, 3 accepted.
        month = await rows_of(db, DAY, "month")
        assert (month["chengxi"].satisfaction_rate, month["chengxi"].accepted) == (0.5, 3)
        assert month["chengxi"].score == pytest.approx(0.7 * 0.5 + 0.2 + 0.1)

        # Computing the day again replaces its rows: the same figures, no duplicates.
        await run_ranking(time_env.client, settings, RankingInput(day=DAY, catch_up_days=0))
        again = await rows_of(db, DAY, "day")
        assert len(again) == len(day) and again["yatou"].score == y.score


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_missed_day_is_caught_up_by_the_next_run(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(time_env.client, settings, db):
        ranked = await run_ranking(
            time_env.client, settings, RankingInput(day=DAY - timedelta(days=2), catch_up_days=0)
        )
        assert ranked == [DAY - timedelta(days=2)]
        # The run for DAY finds the day before it and the one before that missing (the worker was down).
        ranked = await run_ranking(
            time_env.client, settings, RankingInput(day=DAY, catch_up_days=3), record_as="ranking_caught_up"
        )
        assert ranked == [DAY - timedelta(days=3), DAY - timedelta(days=1), DAY]
    async with db.session() as session:
        stored = await ranking.ranked_days(session, DAY - timedelta(days=3), DAY)
    assert stored == {DAY - timedelta(days=n) for n in range(4)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_schedule_is_applied_idempotently_and_ranks_yesterday(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = dev_env.client
    assert (await apply_schedules(client, settings))[0] == (
        f"schedule {DAILY_RANKING} created: cron '30 0 * * *' in Asia/Shanghai"
    )
    assert (await apply_schedules(client, settings))[0].startswith(f"schedule {DAILY_RANKING} updated")
    schedule = client.get_schedule_handle(DAILY_RANKING)
    try:
        described = await schedule.describe()
        # The server keeps the cron as a calendar: its next runs are at 00:30 in Shanghai.
        next_run = described.info.next_action_times[0].astimezone(SHANGHAI)
        assert (next_run.hour, next_run.minute) == (0, 30)
        assert described.schedule.spec.time_zone_name == "Asia/Shanghai"
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "DailyRankingWorkflow"

        async with build_worker(client, settings, db):
            await schedule.trigger()
            yesterday = datetime.now(SHANGHAI).date() - timedelta(days=1)

            async def ranked() -> bool:
                async with db.session() as session:
                    return yesterday in await ranking.ranked_days(session, yesterday, yesterday)

            await eventually(ranked)
            # The day's rows come first, the month's after them: read once the run has finished.
            [started] = (await schedule.describe()).info.recent_actions
            await client.get_workflow_handle(started.action.workflow_id).result()
            async with db.session() as session:
                rows = (
                    await session.exec(select(UnitIndicatorRow.period).where(UnitIndicatorRow.day == yesterday))
                ).all()
            assert sorted(set(rows)) == ["day", "month"]
    finally:
        await schedule.delete()
        await client.get_schedule_handle(MONTHLY_ASSESSMENT).delete()
        await client.get_schedule_handle(CASE_ARCHIVE).delete()
