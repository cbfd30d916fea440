"""The monthly assessment workflow on a database: a month assessed from known rows (figures checked
by hand), on SQLite and PostgreSQL; an idempotent re-run and a leader's re-run after a data
correction; two missed months backfilled in order; a worker killed mid-run on the real dev server;
and the Schedule that runs it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from temporalio.client import Client, ScheduleActionStartWorkflow, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.assessment import AssessmentActivities, AssessMonthInput, MonthAssessed
from domain.assessment import MonthlyAssessment, MonthlyAssessmentInput, ReasonCode, month_before
from gateways.notify import deliver_pending
from minsheng.schedules import CASE_ARCHIVE, DAILY_RANKING, MONTHLY_ASSESSMENT, apply_schedules
from minsheng.settings import Settings
from persistence import assessment
from persistence.db import Database
from persistence.models import (
    AccountabilityActionRow,
    AssessmentRerunRow,
    CallbackRow,
    MonthBottomRow,
    MonthlyAssessmentRow,
    NoticeRow,
    OutboxRow,
    SummonsRow,
)
from tests.helpers import eventually, record_history
from tests.processes import kill, worker_process
from tests.scenarios.assessment import DAY, MONTH, at, known_rows, load, run_assessment
from worker import build_worker
from workflows.assessment import AssessMonthWorkflow, MonthlyAssessmentWorkflow, month_workflow_id

pytestmark = pytest.mark.timeout(120)
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def stored(db: Database, month: str) -> MonthlyAssessment:
    async with db.session() as session:
        found = await assessment.stored_assessment(session, month)
    assert found is not None, f"{month} is not stored"
    return found


async def all_rows(db: Database, model: type) -> list:
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, item: OutboxRow) -> None:
        self.sent.append((item.dedupe_key, item.recipient))


async def test_a_month_assessed_from_known_rows(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, known_rows())
    async with build_worker(time_env.client, settings, db):
        [done] = await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
    assert (done.month, done.units_assessed, done.actions, done.changed_units) == (MONTH, 5, 4, ())
    result = await stored(db, MONTH)
    units = {u.unit: u for u in result.units}
    assert len(units) == len(settings.reference.units)

    # yatou: accepted C1, C2, C4 in the month = 3 cases (C3 it never signed for; C6 it returned,
    # which is not its work) → 镇街C组 (92 / 97). Satisfaction S 2 (C1, C3's last round) B 1 = 1.0;
    # closure C1 C2 C3 of C1 C2 C3 C4 due = 0.75; return 1 of 4 decisions = 0.25.
    # P = 70 + 20 × 0.75 + 10 × 0.75 = 92.50: within the band. Volume 0.1 × 3 ÷ 100 = 0.003 → 0.00.
    # Slips: reminder 0.02 + supervision 0.1. 12 + 0.00 − 0.12 = 11.88.
    y = units["yatou"]
    assert (y.cases, y.group, y.performance, y.score) == (3, "towns_c", Decimal("92.50"), Decimal("11.88"))
    assert {r.code: r.points for r in y.reasons} == {
        ReasonCode.standard: Decimal("12.00"),
        ReasonCode.within_band: Decimal("0.00"),
        ReasonCode.case_volume: Decimal("0.00"),
        ReasonCode.supervision_slips: Decimal("-0.12"),
    }
    # chengxi: accepted C5, C6 (after yatou returned it), C7 = 3. S 1 D 1 = 0.5; closure 2 of
    # C5 C6 C7 due; no return. P = 35 + 13.33 + 10 = 58.33, 33.67 under 92: −16.835, capped at −8.
    c = units["chengxi"]
    assert (c.cases, c.performance, c.score) == (3, Decimal("58.33"), Decimal("4.00"))
    # ningjin and gangwan: one case each, all right: P 100, 3 over the bonus line 97: +1 (capped).
    assert (units["ningjin"].score, units["gangwan"].score) == (Decimal("13.00"), Decimal("13.00"))
    # hrss_bureau shares C2 by responding to the whistle: 1 case → 部门D组 (93 / 98). P = 100: 2 over
    # the bonus line, +0.8. Rated speed 5, quality 4: (2.5 + 2 − 3) × 0.02 = +0.03. 12.83.
    h = units["hrss_bureau"]
    assert (h.cases, h.group, h.performance, h.score) == (1, "departments_d", Decimal("100.00"), Decimal("12.83"))
    assert {r.code: r.points for r in h.reasons}[ReasonCode.whistle_ratings] == Decimal("0.03")
    # Released from the whistle, and every unit without cases: not assessed.
    assert units["urban_management_bureau"].score is None and units["urban_management_bureau"].rank is None
    assert [(u.unit, u.rank, u.assessed_in_kind) for u in result.units if u.rank] == [
        ("gangwan", 1, 4),
        ("ningjin", 1, 4),
        ("yatou", 3, 4),
        ("chengxi", 4, 4),
        ("hrss_bureau", 1, 1),
    ]

    # The bottom 3 towns are chengxi, yatou and gangwan (13.00, tied with ningjin on score, P and
    # satisfaction: the code decides), all named as the report does; so is hrss_bureau, the only
    # department assessed, with 12.83.
    actions = await all_rows(db, AccountabilityActionRow)
    assert sorted((a.unit_code, a.step, a.streak, a.revision) for a in actions) == [
        ("chengxi", "public_notice", 1, 1),
        ("gangwan", "public_notice", 1, 1),
        ("hrss_bureau", "public_notice", 1, 1),
        ("yatou", "public_notice", 1, 1),
    ]
    notices = {n.key: n for n in await all_rows(db, NoticeRow)}
    assert set(notices) == {a.key for a in actions}
    chengxi = notices[f"{MONTH}:chengxi:public_notice"]
    assert chengxi.pdf.startswith(b"%PDF-") and "通报批评" in chengxi.markdown and "4.00" in chengxi.markdown
    assert (chengxi.revision, chengxi.status, chengxi.unit_code) == (1, "issued", "chengxi")
    outbox = await all_rows(db, OutboxRow)
    assert sorted((o.recipient, o.body["step"]) for o in outbox if o.body.get("unit") == "yatou") == [
        ("city_leadership", "public_notice"),
        ("yatou", "public_notice"),
    ]
    # The links in the messages are absolute: a unit opens its notice from the message.
    assert {o.body["notice_pdf"] for o in outbox if o.body["unit"] == "yatou"} == {
        f"{settings.api_url}/v1/notices/{MONTH}:yatou:public_notice.pdf?revision=1"
    }


def set_answer(case_id: str, answer: str):
    def correct(session: Session) -> None:
        session.exec(sa.update(CallbackRow).where(col(CallbackRow.case_id) == case_id).values(answer=answer))

    return correct


async def leader_rerun(client: Client, settings: Settings, db: Database, reason: str) -> list[MonthAssessed]:
    now = datetime.now(UTC)
    rerun = await db.write(lambda s: assessment.add_rerun(s, MONTH, reason, "k_leader", now))
    return await run_assessment(client, settings, MonthlyAssessmentInput(month=MONTH, rerun_id=rerun.id))


@pytest.mark.usefixtures("standard_points_line")
async def test_a_rerun_is_idempotent_and_a_correction_is_recorded(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, known_rows())
    notifier = Recording()
    async with build_worker(time_env.client, settings, db):
        await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
        first = await stored(db, MONTH)
        assert await deliver_pending(db, notifier) == 4  # 2 actions × (unit, city leadership)

        # The same month again, from a run that is not a leader's re-run: kept as stored, even
        # after the data changed (only a recorded re-run changes a month whose notices went out).
        await db.write(set_answer("C5", "satisfied"))
        assert (
            await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
            == []
        )
        kept = await time_env.client.execute_workflow(
            AssessMonthWorkflow.run,
            AssessMonthInput(month=MONTH),
            id=f"assess-again-{uuid.uuid4().hex[:6]}",
            task_queue=settings.task_queue,
        )
        assert kept.already_assessed and kept.changed_units == ()
        assert (await stored(db, MONTH)).model_dump() == first.model_dump()
        assert len(await all_rows(db, AccountabilityActionRow)) == 2 and len(await all_rows(db, OutboxRow)) == 4
        assert await deliver_pending(db, notifier) == 0

        # A leader re-runs October after that correction (C5's citizen was in fact satisfied);
        # November, already assessed, follows.
        await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month="2026-11", catch_up_months=0))
        done = await leader_rerun(time_env.client, settings, db, "C5回访结果录入错误，已更正")
        assert [d.month for d in done] == [MONTH, "2026-11"]
        # chengxi: S 2 = 1.0, P = 70 + 13.33 + 10 = 93.33, within the band: 12.00, not below the line.
        units = {u.unit: u for u in (await stored(db, MONTH)).units}
        assert (units["chengxi"].score, units["chengxi"].rank, units["yatou"].rank) == (Decimal("12.00"), 3, 4)
        [row] = await all_rows(db, AssessmentRerunRow)
        assert (row.month, row.reason, row.actor_key_id) == (MONTH, "C5回访结果录入错误，已更正", "k_leader")
        assert {
            c["unit"]: (c["score_before"], c["score_after"], c["rank_before"], c["rank_after"], c["actions_after"])
            for c in row.changes[MONTH]
        } == {
            "chengxi": ("4.00", "12.00", 4, 3, []),
            "yatou": ("11.88", "11.88", 3, 4, ["public_notice"]),
        }
        assert row.changes["2026-11"] == []
        # yatou's notice is corrected (revision 2, 更正); chengxi's is withdrawn (revision 2, 撤销).
        # Both versions of each are kept, as circulated.
        actions = {a.unit_code: a for a in await all_rows(db, AccountabilityActionRow)}
        assert {u: (a.revision, a.withdrawn_at is not None) for u, a in actions.items()} == {
            "yatou": (2, False),
            "chengxi": (2, True),
        }
        versions = {(n.unit_code, n.revision): n for n in await all_rows(db, NoticeRow)}
        assert {k: v.status for k, v in versions.items()} == {
            ("yatou", 1): "issued",
            ("yatou", 2): "corrected",
            ("chengxi", 1): "issued",
            ("chengxi", 2): "withdrawn",
        }
        assert "第3名" in versions[("yatou", 1)].markdown and "第4名" in versions[("yatou", 2)].markdown
        assert "（更正）" in versions[("yatou", 2)].title and "【撤销】" in versions[("chengxi", 2)].markdown
        assert await deliver_pending(db, notifier) == 4
        assert sorted(r for _, r in notifier.sent[4:]) == ["chengxi", "city_leadership", "city_leadership", "yatou"]

        # The correction was itself wrong: back to dissatisfied, re-run again. The actions are back
        # where they were first (A → B → A): each is a new revision, and sent again.
        await db.write(set_answer("C5", "dissatisfied"))
        await leader_rerun(time_env.client, settings, db, "C5更正有误，恢复原回访结果")
        actions = {a.unit_code: a for a in await all_rows(db, AccountabilityActionRow)}
        assert {u: (a.revision, a.withdrawn_at is None) for u, a in actions.items()} == {
            "yatou": (3, True),
            "chengxi": (3, True),
        }
        assert await deliver_pending(db, notifier) == 4
        assert (await stored(db, MONTH)).model_dump() == first.model_dump()
        # And once more on the same data: nothing new.
        await leader_rerun(time_env.client, settings, db, "复核")
        assert await deliver_pending(db, notifier) == 0
    assert len(set(notifier.sent)) == len(notifier.sent) == 12


async def test_a_rerun_waits_for_another_run_assessing_the_month_then_assesses_it(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = time_env.client
    await load(db, known_rows())
    elsewhere = settings.model_copy(update={"task_queue": f"{settings.task_queue}-other"})
    async with build_worker(client, settings, db):
        await run_assessment(client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
        # Another run is assessing October (its month workflow waits for a worker of its own).
        other = await client.start_workflow(
            AssessMonthWorkflow.run,
            AssessMonthInput(month=MONTH),
            id=month_workflow_id(MONTH),
            task_queue=elsewhere.task_queue,
        )
        await db.write(set_answer("C5", "satisfied"))
        now = datetime.now(UTC)
        rerun = await db.write(lambda s: assessment.add_rerun(s, MONTH, "C5回访结果录入错误，已更正", "k_leader", now))
        run = await client.start_workflow(
            MonthlyAssessmentWorkflow.run,
            MonthlyAssessmentInput(month=MONTH, rerun_id=rerun.id),
            id=f"assessment-test-{uuid.uuid4().hex[:8]}",
            task_queue=settings.task_queue,
        )

        async def refused() -> bool:
            return any(
                [
                    e.HasField("start_child_workflow_execution_failed_event_attributes")
                    async for e in run.fetch_history_events()
                ]
            )

        await eventually(refused, seconds=30)  # the month's id was taken: the run waits, not fails
        async with build_worker(client, elsewhere, db):
            assert (await other.result()).already_assessed  # the other run, not a re-run, kept it
            [done] = await run.result()
        await record_history(client, run.id, "assessment_rerun_waited")
    assert (done.month, done.failed, done.already_assessed) == (MONTH, None, False)
    units = {u.unit: u for u in (await stored(db, MONTH)).units}
    assert units["chengxi"].score == Decimal("12.00")
    [row] = await all_rows(db, AssessmentRerunRow)
    assert {c["unit"] for c in row.changes[MONTH]} == {"chengxi", "yatou"}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_bottom_lists_changed_since_read_are_read_again(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run re-stores September while October is being assessed from September's old bottom
    list: October's write sees it and October is assessed again from the list as it is now."""
    await load(db, known_rows())
    activities = AssessmentActivities(
        db, settings.reference, settings.timing, settings.assessment_policy, settings.indicator_policy
    )
    env = ActivityEnvironment()
    await env.run(activities.assess_month, AssessMonthInput(month="2026-09"))
    read = assessment.bottoms_before
    reads: list[str] = []

    async def read_then_changed(session, month):
        found = await read(session, month)
        if not reads:  # the other run stores September with chengxi in its bottom, after this read

            def other_run(s: Session) -> None:
                s.get(MonthBottomRow, "2026-09").entries = [
                    {
                        "month": "2026-09",
                        "unit": "chengxi",
                        "name": "城西街道",
                        "kind": "town",
                        "group_name": "镇街C组",
                        "score": "5.00",
                        "rank": 4,
                        "assessed_in_kind": 4,
                    }
                ]

            await db.write(other_run)
        reads.append(month)
        return found

    monkeypatch.setattr(assessment, "bottoms_before", read_then_changed)
    done = await env.run(activities.assess_month, AssessMonthInput(month=MONTH))
    assert reads == [MONTH, MONTH] and done.actions == 5
    actions = {(a.unit_code, a.step): a.streak for a in await all_rows(db, AccountabilityActionRow)}
    assert actions == {
        ("chengxi", "public_notice"): 2,
        ("chengxi", "interview"): 2,
        ("yatou", "public_notice"): 1,
        ("gangwan", "public_notice"): 1,
        ("hrss_bureau", "public_notice"): 1,
    }


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_month_whose_figures_fail_validation_fails_alone_and_is_named(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # A whistle rating out of range in October (speed 9 of 5): the same on every attempt.
    bad = SummonsRow(
        case_id="C1",
        summons_id="S9",
        lead_unit="yatou",
        unit="water_bureau",
        task="核实",
        reason="供水",
        whistled_at=at(DAY, 8),
        status="responded",
        responded_at=at(DAY, 9),
        speed=9,
        quality=4,
        rated_at=at(DAY, 11),
    )
    await load(db, [*known_rows(), bad])
    async with build_worker(time_env.client, settings, db):
        with pytest.raises(WorkflowFailureError) as failure:
            await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month="2026-11", catch_up_months=2))
        month = await time_env.client.get_workflow_handle(month_workflow_id(MONTH)).describe()
    assert isinstance(failure.value.cause, ApplicationError)
    assert failure.value.cause.type == "MonthsNotAssessed"
    assert "2026-10: 2026-10 cannot be assessed" in str(failure.value.cause) and "water_bureau" in str(
        failure.value.cause
    )
    # The months around it were assessed all the same; October's own run shows failed, not retrying.
    async with db.session() as session:
        assert await assessment.assessed_months(session) == {"2026-09", "2026-11"}
    assert month.status is WorkflowExecutionStatus.FAILED


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_missed_months_are_backfilled_in_order(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, known_rows())
    async with build_worker(time_env.client, settings, db):
        assert [
            d.month
            for d in await run_assessment(
                time_env.client, settings, MonthlyAssessmentInput(month="2026-09", catch_up_months=0)
            )
        ] == ["2026-09"]
        # The run for December finds October and November missing (the worker was down): it assesses
        # them first, oldest first, so that December's streaks read their bottom lists.
        done = await run_assessment(
            time_env.client,
            settings,
            MonthlyAssessmentInput(month="2026-12", catch_up_months=3),
            record_as="assessment_backfilled",
        )
    assert [d.month for d in done] == ["2026-10", "2026-11", "2026-12"]
    assert [d.actions for d in done] == [4, 0, 0]
    months = sorted((r.month, r.assessed_at) for r in await all_rows(db, MonthlyAssessmentRow))
    assert [m for m, _ in months] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert [t for _, t in months][1:] == sorted(t for _, t in months[1:])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.timeout(180)
async def test_a_killed_worker_resumes_the_monthly_run_without_duplicates(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    client = dev_env.client
    address = client.service_client.config.target_host
    log = tmp_path / "worker.log"
    await load(db, known_rows())
    # Ask for November with a year of catch-up: December 2025 to November 2026, twelve months in
    # order, too many for the worker to store between two looks at the table before it is killed.
    run = await client.start_workflow(
        MonthlyAssessmentWorkflow.run,
        MonthlyAssessmentInput(month="2026-11", catch_up_months=11),
        id=f"assessment-crash-{uuid.uuid4().hex[:8]}",
        task_queue=settings.task_queue,
    )

    async def some_stored() -> bool:
        return bool(await all_rows(db, MonthlyAssessmentRow))

    with worker_process(address, settings, log) as first:
        await eventually(some_stored, seconds=60)
        kill(first)  # in the middle of the run: a month stored, the others not
        stored_at_kill = len(await all_rows(db, MonthlyAssessmentRow))
    assert stored_at_kill < 12, "the worker finished the run before it was killed: nothing was resumed"
    with worker_process(address, settings, log):
        done = await asyncio.wait_for(run.result(), 120)
    months = ["2025-12"] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert [d.month for d in done] == months, log.read_text()[-3000:]
    actions = await all_rows(db, AccountabilityActionRow)
    assert sorted(a.key for a in actions) == [
        f"{MONTH}:{u}:public_notice" for u in ("chengxi", "gangwan", "hrss_bureau", "yatou")
    ]
    outbox = await all_rows(db, OutboxRow)
    assert len(outbox) == 8 and len({(o.dedupe_key, o.recipient) for o in outbox}) == 8


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_schedule_is_applied_idempotently_and_assesses_last_month(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = dev_env.client
    assert (await apply_schedules(client, settings))[1] == (
        f"schedule {MONTHLY_ASSESSMENT} created: cron '0 1 1 * *' in Asia/Shanghai"
    )
    assert (await apply_schedules(client, settings))[1].startswith(f"schedule {MONTHLY_ASSESSMENT} updated")
    schedule = client.get_schedule_handle(MONTHLY_ASSESSMENT)
    try:
        described = await schedule.describe()
        next_run = described.info.next_action_times[0].astimezone(SHANGHAI)
        assert (next_run.day, next_run.hour, next_run.minute) == (1, 1, 0)
        assert described.schedule.spec.time_zone_name == "Asia/Shanghai"
        assert described.schedule.policy.catchup_window >= timedelta(days=28)
        action = described.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow) and action.workflow == "MonthlyAssessmentWorkflow"

        async with build_worker(client, settings, db):
            await schedule.trigger()
            last_month = month_before(datetime.now(SHANGHAI).strftime("%Y-%m"))

            async def assessed() -> bool:
                async with db.session() as session:
                    return last_month in await assessment.assessed_months(session)

            await eventually(assessed, seconds=60)
            # Let the run finish here: its month workflows must not stay open for the next tests.
            [started] = (await schedule.describe()).info.recent_actions
            await client.get_workflow_handle(started.action.workflow_id).result()
    finally:
        await schedule.delete()
        await client.get_schedule_handle(DAILY_RANKING).delete()
        await client.get_schedule_handle(CASE_ARCHIVE).delete()
