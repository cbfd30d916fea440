"""Colour-tier deadlines and supervision slips in the time-skipping test server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.calendar import CalendarDay, CityFile, WorkingCalendar, YearFile
from domain.case import (
    AcceptInput,
    Actor,
    CaseStatus,
    DispatchInput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    ReplyInput,
    ReturnDecisionInput,
    ReturnInput,
    Role,
    TierChangeInput,
)
from domain.deadlines import Timing
from domain.reference import Tier
from minsheng.settings import Settings
from minsheng.temporal import CASE_DEADLINE, CASE_OVERDUE, case_workflow_id
from persistence.db import Database
from persistence.models import OutboxRow
from tests.helpers import (
    DISPATCHER,
    case_file,
    dispatched_case,
    handle,
    record_history,
    slips,
    wait_for,
    wait_for_event,
)
from worker import build_worker, retime_provisional_cases
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(90)]
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")
SHANGHAI = ZoneInfo("Asia/Shanghai")


async def outbox(db: Database, case_id: str) -> list[str]:
    async with db.session() as session:
        rows = (await session.exec(OutboxRow.__table__.select())).all()  # type: ignore[attr-defined]
    return sorted(r.recipient for r in rows if r.stream == "notification" and r.body.get("case_id") == case_id)


async def test_an_untouched_red_case_gets_every_slip_once(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.red)
        file = await case_file(db, case_id)
        dispatched_at = next(e.at for e in file.events if e.kind == "dispatched")
        assert file.case.deadline_at == dispatched_at + timedelta(hours=24)
        # The citizen's clock runs from receipt: the same 24 hours, a little earlier.
        assert file.case.citizen_due_at == file.case.received_at + timedelta(hours=24)

        await own_time_env.sleep(timedelta(hours=30))
        await wait_for_event(db, case_id, "slip")
        for _ in range(100):
            if len(await slips(db, case_id)) == 5:
                break
            await own_time_env.sleep(timedelta(minutes=1))
        assert await slips(db, case_id) == [
            (1, "reminder", "acceptance"),
            (1, "reminder", "reminder_point"),
            (1, "supervision", "citizen_deadline"),
            (1, "supervision", "deadline"),
            (1, "warning", "warning_grace"),
        ]
        file = await case_file(db, case_id)
        assert file.case.overdue
        slip_events = [e for e in file.events if e.kind == "slip"]
        unit_slips = [e for e in slip_events if e.detail["trigger"] != "citizen_deadline"]
        assert [round((e.at - dispatched_at).total_seconds()) for e in unit_slips] == [
            3600,
            12 * 3600,
            24 * 3600,
            28 * 3600,
        ]
        [citizen] = [e for e in slip_events if e.detail["trigger"] == "citizen_deadline"]
        assert abs(citizen.at - (file.case.received_at + timedelta(hours=24))) < timedelta(seconds=1)
        assert await outbox(db, case_id) == sorted(
            ["hrss_bureau"] * 5 + ["city_leadership", "discipline_commission"] * 3
        )
        attributes = (await handle(own_time_env.client, case_id).describe()).typed_search_attributes
        assert attributes.get(CASE_OVERDUE) is True and attributes.get(CASE_DEADLINE) == file.case.deadline_at

        await own_time_env.sleep(timedelta(days=3))
        assert len(await slips(db, case_id)) == 5, "nothing is issued twice"


async def test_a_case_handled_in_time_gets_no_slip(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.red)
        case = handle(own_time_env.client, case_id)
        await own_time_env.sleep(timedelta(minutes=30))
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await own_time_env.sleep(timedelta(hours=5))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已处置"))
        await own_time_env.sleep(timedelta(days=2))
        assert await slips(db, case_id) == []
        file = await case_file(db, case_id)
        assert file.case.on_time is True and file.case.citizen_on_time is True and not file.case.overdue
        assert file.case.handling_working_days is not None


async def test_a_tier_change_moves_the_pending_timers(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.red)
        await own_time_env.sleep(timedelta(hours=2))  # the acceptance slip (1 h) is issued
        await handle(own_time_env.client, case_id).execute_update(
            CaseWorkflow.change_tier, TierChangeInput(actor=DISPATCHER, tier=Tier.green, reason="经核实不属紧急")
        )
        await own_time_env.sleep(timedelta(hours=26))  # past red's deadline, well before green's
        assert await slips(db, case_id) == [(1, "reminder", "acceptance")]
        file = await case_file(db, case_id)
        assert file.case.tier == "green" and not file.case.overdue
        assert file.case.deadline_at is not None and file.case.deadline_at > datetime.now(UTC) + timedelta(hours=20)


async def test_an_approved_extension_moves_the_deadline(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.red)
        case = handle(own_time_env.client, case_id)
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        due = (await case_file(db, case_id)).case.deadline_at
        assert due is not None
        await case.execute_update(
            CaseWorkflow.request_extension,
            ExtensionRequestInput(actor=HRSS, until=due + timedelta(hours=48), reason="需等待劳动仲裁结果"),
        )
        await case.execute_update(CaseWorkflow.decide_extension, ExtensionDecisionInput(actor=DISPATCHER, approve=True))
        await own_time_env.sleep(timedelta(hours=30))  # past the old deadline (24 h)
        # The unit's deadline moved; the citizen's 24 hours from receipt did not.
        assert await slips(db, case_id) == [(1, "supervision", "citizen_deadline")]
        assert (await case_file(db, case_id)).case.deadline_at == due + timedelta(hours=48)
        await own_time_env.sleep(timedelta(hours=44))  # past the new one (72 h); its reminder point is 36 h
        assert [s[2] for s in await slips(db, case_id)] == ["citizen_deadline", "reminder_point", "deadline"]


async def test_a_return_stops_the_units_timers_and_the_citizens_clock_runs_on(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.red)
        case = handle(own_time_env.client, case_id)
        await case.execute_update(CaseWorkflow.return_, ReturnInput(actor=HRSS, reason="不属本单位"))
        await case.execute_update(CaseWorkflow.decide_return, ReturnDecisionInput(actor=DISPATCHER, approve=True))
        await own_time_env.sleep(timedelta(hours=30))
        # Back in the queue: the centre's 30 minutes to dispatch a red case, then the citizen's
        # 24 hours from receipt pass, both on the centre.
        assert await slips(db, case_id) == [(1, "reminder", "dispatch"), (1, "supervision", "citizen_deadline")]
        await case.execute_update(
            CaseWorkflow.dispatch,
            DispatchInput(actor=DISPATCHER, unit="yatou", domain="labour", matter_type="wage_arrears", tier=Tier.red),
        )
        await own_time_env.sleep(timedelta(hours=2))
        assert (await slips(db, case_id))[2:] == [(2, "reminder", "acceptance")]
        state = await case.query(CaseWorkflow.status)
        assert state.round == 2 and state.status is CaseStatus.dispatched
        await record_history(own_time_env.client, case_workflow_id(case_id), "case_citizen_clock_returned")


async def test_a_green_case_across_a_national_holiday_and_a_makeup_workday(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # The test server's clock starts today, so lay a National-Day-like holiday out from tomorrow
    # to a Friday at least six days on, with the Saturday after it made up as a working day.
    today = datetime.now(SHANGHAI).date()
    last_off = today + timedelta(days=7)
    last_off += timedelta(days=(4 - last_off.weekday()) % 7)  # a Friday
    days_off = [today + timedelta(days=i) for i in range(1, (last_off - today).days + 1)]
    makeup = last_off + timedelta(days=1)  # Saturday
    calendar = WorkingCalendar.build(
        [
            YearFile(
                year=year,
                holidays=[CalendarDay(date=d, name="国庆节") for d in days_off if d.year == year],
                makeup_workdays=[CalendarDay(date=makeup, name="国庆节调休")] if makeup.year == year else [],
            )
            for year in sorted({today.year, makeup.year, (makeup + timedelta(days=7)).year})
        ],
        CityFile(),
    )
    settings.__dict__["timing"] = Timing(policy=settings.timing.policy, calendar=calendar, zone=SHANGHAI)
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.green)
        file = await case_file(db, case_id)
    # Working days after dispatch: the make-up Saturday, Monday, Tuesday. Deadline: Tuesday's end.
    tuesday_end = datetime.combine(makeup + timedelta(days=4), datetime.min.time(), tzinfo=SHANGHAI)
    assert file.case.deadline_at == tuesday_end.astimezone(UTC)
    assert not file.case.deadline_provisional


async def test_a_date_in_a_year_without_a_calendar_file_is_provisional(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    settings.__dict__["timing"] = Timing(
        policy=settings.timing.policy, calendar=WorkingCalendar.build([], CityFile()), zone=SHANGHAI
    )
    async with build_worker(own_time_env.client, settings, db):
        case_id = await dispatched_case(own_time_env, db, settings, Tier.green)
        file = await case_file(db, case_id)
        assert file.case.deadline_provisional
        assert next(e for e in file.events if e.kind == "deadlines").detail["provisional"] == "yes"


async def test_a_provisional_deadline_moves_when_the_year_arrives(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    # A worker restart is the point here, so this runs on the real dev server: the time-skipping
    # server never hands a stopped worker's sticky tasks on while its clock stands still.
    shipped = settings.timing
    settings.__dict__["timing"] = Timing(
        policy=shipped.policy, calendar=WorkingCalendar.build([], CityFile()), zone=SHANGHAI
    )
    async with build_worker(dev_env.client, settings, db):
        case_id = await dispatched_case(dev_env, db, settings, Tier.green)
    assert (await case_file(db, case_id)).case.deadline_provisional

    settings.__dict__["timing"] = shipped  # the city adds the year's file; the worker restarts
    async with build_worker(dev_env.client, settings, db):
        assert await retime_provisional_cases(dev_env.client, settings, db) == 1
        file = await wait_for(
            db, case_id, lambda f: not f.case.deadline_provisional, "lost its provisional mark", seconds=40
        )
    deadlines = [e for e in file.events if e.kind == "deadlines"]
    assert len(deadlines) == 2 and "provisional" not in deadlines[1].detail
    assert await retime_provisional_cases(dev_env.client, settings, db) == 0
