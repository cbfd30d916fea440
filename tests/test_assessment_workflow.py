"""The monthly assessment workflow on a database: a month assessed from known rows (figures checked
by hand), on SQLite and PostgreSQL; an idempotent re-run and a leader's re-run after a data
correction; two missed months backfilled in order; a worker killed mid-run on the real dev server;
and the Schedule that runs it."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select
from temporalio.client import Client, ScheduleActionStartWorkflow
from temporalio.testing import WorkflowEnvironment

from domain.assessment import MonthAssessed, MonthlyAssessment, MonthlyAssessmentInput, ReasonCode, month_before
from minsheng.notify import deliver_pending
from minsheng.schedules import DAILY_RANKING, MONTHLY_ASSESSMENT, apply_schedules
from minsheng.settings import Settings
from persistence import assessment
from persistence.db import Database
from persistence.models import (
    AccountabilityActionRow,
    AssessmentRerunRow,
    CallbackRow,
    CaseEventRow,
    CaseRow,
    MonthlyAssessmentRow,
    NoticeRow,
    OutboxRow,
    RequestRow,
    SlipRow,
    SummonsRow,
)
from tests.helpers import eventually
from tests.test_e2e import record_history
from tests.test_worker_crash import kill, worker_process
from worker import build_worker
from workflows.assessment import MonthlyAssessmentWorkflow

pytestmark = pytest.mark.timeout(120)
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH = "2026-10"
DAY = date(2026, 10, 20)
BEFORE, AFTER = DAY - timedelta(days=1), DAY + timedelta(days=5)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _case(case_id: str, unit: str, deadline: date, replied: date | None, on_time: bool | None, closed: date | None,
          callback_round: int = 1) -> CaseRow:  # fmt: skip
    return CaseRow(
        id=case_id, status="closed" if closed else "accepted", channel="hotline_12345", tier="yellow",
        unit_code=unit, domain_code="labour", matter_type_code="wage_arrears", received_at=at(deadline - timedelta(days=3)),
        updated_at=at(DAY), deadline_at=at(deadline, 18), replied_at=at(replied) if replied else None, on_time=on_time,
        handling_working_days=1 if replied else None, closed_at=at(closed, 16) if closed else None,
        callback_round=callback_round,
    )  # fmt: skip


def _request(request_id: str, case_id: str) -> RequestRow:
    return RequestRow(
        id=request_id, case_id=case_id, channel="hotline_12345", channel_ref=request_id, citizen_name="张三",
        citizen_phone="13800000000", content="拖欠工资", address="崖头街道", town_code="yatou",
        received_at=at(DAY - timedelta(days=5)), intake_key_id="k_test",
    )  # fmt: skip


def _answer(case_id: str, request_id: str, answer: str, round_: int = 1, attempt: int = 1, final: bool = True) -> CallbackRow:
    return CallbackRow(
        case_id=case_id, request_id=request_id, round=round_, attempt=attempt, status="answered", answer=answer,
        final=final, created_at=at(DAY), answered_at=at(DAY, 15),
    )  # fmt: skip


def _event(case_id: str, seq: int, kind: str, day: date = DAY, unit: str | None = None, to: str | None = None) -> CaseEventRow:
    return CaseEventRow(
        case_id=case_id, seq=seq, at=at(day, 9), kind=kind, status=kind, actor_role="unit" if unit else "system",
        actor_unit=unit, detail={"unit": to} if to else {},
    )  # fmt: skip


def known_rows() -> list[object]:
    """October 2026 (Asia/Shanghai), with the figures each unit should get (see the first test)."""
    cases = [
        _case("C1", "yatou", DAY, DAY, True, DAY),
        _case("C2", "yatou", DAY, DAY, False, DAY),
        _case("C3", "yatou", AFTER, DAY, True, DAY, callback_round=2),  # reopened once
        _case("C4", "yatou", DAY, None, None, None),  # due, not replied
        _case("C5", "chengxi", DAY, DAY, True, DAY),
        _case("C6", "chengxi", AFTER, None, None, None),  # returned by yatou, now with chengxi
        _case("C7", "chengxi", BEFORE, BEFORE, True, BEFORE),
    ]
    requests = [_request(r, c) for r, c in (("R1", "C1"), ("R2a", "C2"), ("R2b", "C2"), ("R3", "C3"),
                                           ("R4", "C4"), ("R5", "C5"), ("R6", "C6"), ("R7", "C7"))]  # fmt: skip
    callbacks = [
        _answer("C1", "R1", "satisfied"),
        _answer("C2", "R2a", "basically_satisfied"),
        _answer("C2", "R2b", "unreachable", attempt=1, final=False),
        _answer("C2", "R2b", "unreachable", attempt=2),
        _answer("C3", "R3", "dissatisfied"),  # round 1: reopened the case, superseded
        _answer("C3", "R3", "satisfied", round_=2),
        _answer("C5", "R5", "dissatisfied"),
        _answer("C7", "R7", "satisfied"),
    ]
    events = [
        *(_event(c, 2, "dispatched", to="yatou") for c in ("C1", "C2", "C3", "C4", "C6")),
        _event("C5", 2, "dispatched", to="chengxi"),
        _event("C6", 5, "dispatched", to="chengxi"),
        _event("C7", 2, "dispatched", BEFORE, to="chengxi"),
        *(_event(c, 4, "accepted", unit="yatou") for c in ("C1", "C2", "C4")),
        _event("C6", 4, "returned", unit="yatou"),
        _event("C6", 6, "accepted", unit="chengxi"),
        _event("C5", 4, "accepted", unit="chengxi"),
        _event("C7", 4, "accepted", BEFORE, unit="chengxi"),
    ]
    summonses = [
        SummonsRow(case_id="C2", summons_id="S1", lead_unit="yatou", unit="hrss_bureau", task="核实", reason="劳动",
                   whistled_at=at(DAY, 8), status="responded", responded_at=at(DAY, 9), speed=5, quality=4,
                   rated_at=at(DAY, 11)),
        SummonsRow(case_id="C2", summons_id="S2", lead_unit="yatou", unit="urban_management_bureau", task="核实",
                   reason="城管", whistled_at=at(DAY, 8), status="released"),
    ]  # fmt: skip
    slips = [
        SlipRow(case_id="C4", unit_code="yatou", round=1, kind="reminder", trigger="reminder_point", reason="过半",
                due_at=at(DAY, 18), issued_at=at(DAY, 12)),
        SlipRow(case_id="C4", unit_code="yatou", round=1, kind="supervision", trigger="deadline", reason="超期",
                due_at=at(DAY, 18), issued_at=at(DAY, 18)),
    ]  # fmt: skip
    return [*cases, *requests, *callbacks, *events, *summonses, *slips]


async def load(db: Database, rows: list[object]) -> None:
    def work(session: Session) -> None:
        for group in (CaseRow, RequestRow, CallbackRow, CaseEventRow, SummonsRow, SlipRow):
            session.add_all([r for r in rows if isinstance(r, group)])
            session.flush()

    await db.write(work)


async def run_assessment(
    client: Client, settings: Settings, inp: MonthlyAssessmentInput, record_as: str = ""
) -> list[MonthAssessed]:
    workflow_id = f"assessment-test-{uuid.uuid4().hex[:8]}"
    result = await client.execute_workflow(
        MonthlyAssessmentWorkflow.run, inp, id=workflow_id, task_queue=settings.task_queue
    )
    if record_as:
        await record_history(client, workflow_id, record_as)
    return result


async def stored(db: Database, month: str) -> MonthlyAssessment:
    async with db.session() as session:
        found = await assessment.stored_assessment(session, month)
    assert found is not None, f"{month} is not stored"
    return found


async def all_rows(db: Database, model: type) -> list:  # noqa: ANN401
    async with db.session() as session:
        return list((await session.exec(select(model))).all())


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, item: OutboxRow) -> None:
        self.sent.append((item.dedupe_key, item.recipient))


async def test_a_month_assessed_from_known_rows(time_env: WorkflowEnvironment, db: Database, settings: Settings) -> None:
    await load(db, known_rows())
    async with build_worker(time_env.client, settings, db):
        [done] = await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
    assert (done.month, done.units_assessed, done.actions, done.changed_units) == (MONTH, 3, 3, ())
    result = await stored(db, MONTH)
    units = {u.unit: u for u in result.units}
    assert len(units) == len(settings.reference.units)

    # yatou: cases C1–C4, C6 dispatched to it = 5 → 镇街C组 (92 / 97). Satisfaction S 2 (C1, C3's last
    # round) B 1 = 1.0; closure C1 C2 C3 of C1 C2 C3 C4 due = 0.75; return 1 of 4 decisions = 0.25.
    # P = 70 + 20 × 0.75 + 10 × 0.75 = 92.50: within the band. Volume 0.1 × 5 ÷ 100 = 0.005 → 0.01.
    # Slips: reminder 0.02 + supervision 0.1. 12 + 0.01 − 0.12 = 11.89.
    y = units["yatou"]
    assert (y.cases, y.group, y.performance, y.score) == (5, "towns_c", Decimal("92.50"), Decimal("11.89"))
    assert {r.code: r.points for r in y.reasons} == {
        ReasonCode.standard: Decimal("12.00"), ReasonCode.within_band: Decimal("0.00"),
        ReasonCode.case_volume: Decimal("0.01"), ReasonCode.supervision_slips: Decimal("-0.12"),
    }  # fmt: skip
    # chengxi: C5, C6 (dispatched to it after yatou returned it), C7 = 3. S 1 D 1 = 0.5; closure 2 of
    # C5 C6 C7 due; no return. P = 35 + 13.33 + 10 = 58.33, 33.67 under 92: −16.835, capped at −8.
    c = units["chengxi"]
    assert (c.cases, c.performance, c.score) == (3, Decimal("58.33"), Decimal("4.00"))
    # hrss_bureau shares C2 by responding to the whistle: 1 case → 部门D组 (93 / 98). P = 100: 2 over
    # the bonus line, +0.8. Rated speed 5, quality 4: (2.5 + 2 − 3) × 0.02 = +0.03. 12.83.
    h = units["hrss_bureau"]
    assert (h.cases, h.group, h.performance, h.score) == (1, "departments_d", Decimal("100.00"), Decimal("12.83"))
    assert {r.code: r.points for r in h.reasons}[ReasonCode.whistle_ratings] == Decimal("0.03")
    # Released from the whistle, and every unit without cases: not assessed.
    assert units["urban_management_bureau"].score is None and units["urban_management_bureau"].rank is None
    assert [(u.unit, u.rank, u.assessed_in_kind) for u in result.units if u.rank] == [
        ("yatou", 1, 2), ("chengxi", 2, 2), ("hrss_bureau", 1, 1),
    ]  # fmt: skip

    # Fewer than 3 assessed of each kind: all of them are in the bottom, worst first.
    actions = await all_rows(db, AccountabilityActionRow)
    assert sorted((a.unit_code, a.step, a.streak) for a in actions) == [
        ("chengxi", "public_notice", 1), ("hrss_bureau", "public_notice", 1), ("yatou", "public_notice", 1),
    ]  # fmt: skip
    notices = {n.key: n for n in await all_rows(db, NoticeRow)}
    assert set(notices) == {a.key for a in actions}
    chengxi = notices[f"{MONTH}:chengxi:public_notice"]
    assert chengxi.pdf.startswith(b"%PDF-") and "通报批评" in chengxi.markdown and "4.00" in chengxi.markdown
    outbox = await all_rows(db, OutboxRow)
    assert sorted((o.recipient, o.body["step"]) for o in outbox if o.body.get("unit") == "hrss_bureau") == [
        ("city_leadership", "public_notice"), ("hrss_bureau", "public_notice"),
    ]  # fmt: skip


async def test_a_rerun_is_idempotent_and_a_correction_is_recorded(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, known_rows())
    notifier = Recording()
    async with build_worker(time_env.client, settings, db):
        await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
        first = await stored(db, MONTH)
        assert await deliver_pending(db, notifier) == 6  # 3 actions × (unit, city leadership)

        # The same month again on the same data: the same rows, nothing new to send.
        [again] = await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))
        assert again.changed_units == ()
        assert (await stored(db, MONTH)).model_dump() == first.model_dump()
        assert len(await all_rows(db, AccountabilityActionRow)) == 3 and len(await all_rows(db, OutboxRow)) == 6
        assert await deliver_pending(db, notifier) == 0

        # A data correction: C5's citizen was in fact satisfied. A leader re-runs October; November,
        # already assessed, follows.
        await run_assessment(time_env.client, settings, MonthlyAssessmentInput(month="2026-11", catch_up_months=0))

        def correct(session: Session) -> None:
            session.exec(sa.update(CallbackRow).where(col(CallbackRow.case_id) == "C5").values(answer="satisfied"))

        await db.write(correct)
        rerun = await assessment.add_rerun(db, MONTH, "C5回访结果录入错误，已更正", "k_leader", datetime.now(UTC))
        done = await run_assessment(
            time_env.client, settings, MonthlyAssessmentInput(month=MONTH, rerun_id=rerun.id)
        )
    assert [d.month for d in done] == [MONTH, "2026-11"]
    # chengxi: S 2 = 1.0, P = 70 + 13.33 + 10 = 93.33, within the band: 12.00, now first of the towns.
    units = {u.unit: u for u in (await stored(db, MONTH)).units}
    assert (units["chengxi"].score, units["chengxi"].rank, units["yatou"].rank) == (Decimal("12.00"), 1, 2)
    [row] = await all_rows(db, AssessmentRerunRow)
    assert (row.month, row.reason, row.actor_key_id) == (MONTH, "C5回访结果录入错误，已更正", "k_leader")
    assert {c["unit"]: (c["score_before"], c["score_after"], c["rank_before"], c["rank_after"]) for c in row.changes[MONTH]} == {
        "chengxi": ("4.00", "12.00", 2, 1), "yatou": ("11.89", "11.89", 1, 2),
    }  # fmt: skip
    assert row.changes["2026-11"] == []
    # Still one action per unit; the two whose figures changed are sent again, corrected; hrss's is not.
    assert len(await all_rows(db, AccountabilityActionRow)) == 3
    await deliver_pending(db, notifier)
    resent = notifier.sent[6:]
    assert sorted(recipient for _, recipient in resent) == ["chengxi", "city_leadership", "city_leadership", "yatou"]
    assert len(set(notifier.sent)) == len(notifier.sent)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_two_missed_months_are_backfilled_in_order(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    await load(db, known_rows())
    async with build_worker(time_env.client, settings, db):
        assert [d.month for d in await run_assessment(
            time_env.client, settings, MonthlyAssessmentInput(month="2026-09", catch_up_months=0)
        )] == ["2026-09"]  # fmt: skip
        # The run for December finds October and November missing (the worker was down): it assesses
        # them first, oldest first, so that December's streaks read their bottom lists.
        done = await run_assessment(
            time_env.client, settings, MonthlyAssessmentInput(month="2026-12", catch_up_months=3),
            record_as="assessment_backfilled",
        )  # fmt: skip
    assert [d.month for d in done] == ["2026-10", "2026-11", "2026-12"]
    assert [d.actions for d in done] == [3, 0, 0]
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
    # Ask for November with three months of catch-up: August is missing too, so August to November.
    run = await client.start_workflow(
        MonthlyAssessmentWorkflow.run, MonthlyAssessmentInput(month="2026-11", catch_up_months=3),
        id=f"assessment-crash-{uuid.uuid4().hex[:8]}", task_queue=settings.task_queue,
    )  # fmt: skip

    async def some_stored() -> bool:
        return bool(await all_rows(db, MonthlyAssessmentRow))

    with worker_process(address, settings, log) as first:
        await eventually(some_stored, seconds=60)
        kill(first)  # in the middle of the run: a month stored, the others not
        stored_at_kill = len(await all_rows(db, MonthlyAssessmentRow))
    assert stored_at_kill < 4, "the worker finished the run before it was killed: nothing was resumed"
    with worker_process(address, settings, log):
        done = await asyncio.wait_for(run.result(), 120)
    assert [d.month for d in done] == ["2026-08", "2026-09", "2026-10", "2026-11"], log.read_text()[-3000:]
    actions = await all_rows(db, AccountabilityActionRow)
    assert sorted(a.key for a in actions) == [f"{MONTH}:{u}:public_notice" for u in ("chengxi", "hrss_bureau", "yatou")]
    outbox = await all_rows(db, OutboxRow)
    assert len(outbox) == 6 and len({(o.dedupe_key, o.recipient) for o in outbox}) == 6


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
