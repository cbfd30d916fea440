"""Merging repeat submissions at intake (一事多投), in the time-skipping server with the real
activities on SQLite: a request of the same matter joins the running case, racing with the reply
too; a look-alike elsewhere, another problem, or a closed case gets a case of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.case import AcceptInput, Actor, CallbackAnswer, CaseState, ReplyInput, Role
from domain.request import Location
from gateways.cases import CaseGateway
from gateways.storage import object_store
from minsheng.settings import Settings
from persistence import intake
from persistence.db import Database
from persistence.models import CaseRow, RequestRow
from services.archive import history_lookup, temporal_runs
from services.audit import verify
from services.intake import submit_request
from tests.helpers import (
    ROOT,
    WAGES,
    answer_callback,
    case_file,
    closed_state,
    eventually,
    handle,
    new_request,
    pending_callbacks,
    record_history,
    submit,
    wait_for,
    wait_for_event,
    wait_for_status,
)
from worker import build_worker
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(60)]

HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")
SITE = Location(lat=37.1650, lon=122.4860)
NEXT_DOOR = Location(lat=37.1654, lon=122.4863)  # 52 m
ACROSS_TOWN = Location(lat=37.1650, lon=122.5085)  # 2 km
FIRST = WAGES
AGAIN = "我们在这家公司干活，老板拖欠工资三个月不发，人也找不到"


async def test_a_second_report_of_the_matter_joins_the_case_and_both_citizens_are_visited(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = time_env.client
    async with build_worker(client, settings, db):
        first = await submit(db, client, settings, new_request(FIRST, location=SITE))
        await wait_for_status(db, first.case_id, "dispatched")
        second = await submit(db, client, settings, new_request(AGAIN, location=NEXT_DOOR, channel="minsheng_app"))
        assert (second.merged, second.case_id) == (True, first.case_id)
        elsewhere = await submit(db, client, settings, new_request(FIRST, location=ACROSS_TOWN))
        other_problem = await submit(
            db, client, settings, new_request("工地晚上施工噪音太大，吵得睡不着", location=SITE)
        )
        assert not elsewhere.merged and not other_problem.merged
        assert len({first.case_id, elsewhere.case_id, other_problem.case_id}) == 3

        file = await wait_for_event(db, first.case_id, "request_joined")
        assert [r.id for r in file.requests] == [first.request_id, second.request_id]
        joined = file.requests[1]
        assert joined.merged_place == "52 m" and joined.merged_similarity and joined.merged_similarity > 0.3

        case = handle(client, first.case_id)
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已督促企业足额支付"))
        tasks = await pending_callbacks(db, first.case_id, 2)
        assert {t.request_id for t in tasks} == {first.request_id, second.request_id}
        for task in tasks:
            await answer_callback(case, task, CallbackAnswer.satisfied)
        await wait_for_status(db, first.case_id, "closed")


async def test_a_report_racing_with_the_reply_is_visited_too(
    time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = time_env.client
    async with build_worker(client, settings, db):
        first = await submit(db, client, settings, new_request(FIRST, location=SITE))
        await wait_for_status(db, first.case_id, "dispatched")
        case = handle(client, first.case_id)
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        _, second = await asyncio.gather(
            case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已支付")),
            submit(db, client, settings, new_request(AGAIN, location=NEXT_DOOR)),
        )
        assert second.merged and second.case_id == first.case_id
        # Whichever came first, the joining citizen gets a visit in this round.
        tasks = await pending_callbacks(db, first.case_id, 2)
        assert {t.request_id for t in tasks} == {first.request_id, second.request_id}


async def test_a_report_soon_after_the_close_joins_and_its_citizen_is_visited_with_the_reply(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client = own_time_env.client
    days = settings.match_policy.closed_within_days
    assert days > 0, "config/merging.yaml ships a window for late joiners"
    async with build_worker(client, settings, db):
        first = await submit(db, client, settings, new_request(FIRST, location=SITE))
        await wait_for_status(db, first.case_id, "dispatched")
        case = handle(client, first.case_id)
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已督促企业足额支付"))
        [task] = await pending_callbacks(db, first.case_id)
        await answer_callback(case, task, CallbackAnswer.satisfied)
        await wait_for_status(db, first.case_id, "closed")

        late = await submit(db, client, settings, new_request(AGAIN, location=NEXT_DOOR))
        assert (late.merged, late.case_id) == (True, first.case_id)
        [visit] = await pending_callbacks(db, first.case_id)
        assert visit.request_id == late.request_id
        await answer_callback(case, visit, CallbackAnswer.dissatisfied)
        file = await wait_for(db, first.case_id, lambda f: f.case.outcome == "dissatisfied", "took the late answer")
        assert file.case.status == "closed"
        assert [r.id for r in file.requests] == [first.request_id, late.request_id]

        # One more joins, and its citizen is not reached before the window ends.
        unanswered = await submit(db, client, settings, new_request(AGAIN, location=SITE))
        assert unanswered.case_id == first.case_id
        [still_open] = await pending_callbacks(db, first.case_id)
        past_window = timedelta(days=days, hours=1)
        await own_time_env.sleep(past_window)

        # Past the window the same report opens a case of its own (intake's clock moved on too).
        later = datetime.now(UTC) + past_window
        after = await submit_request(
            db, CaseGateway(client, settings), settings, new_request(AGAIN, location=SITE), "k_test", later
        )
        assert not after.merged and after.case_id != first.case_id
        # A request whose intake matched just before the window closed, and whose join came just
        # after, is not lost: the case, still visiting, opens a case of its own for it.
        raced = RequestRow(
            **(await case_file(db, after.case_id)).requests[0].model_dump()
            | {
                "id": "R-RACED",
                "channel_ref": "raced",
                "lookup_token": "raced-token",
                "case_id": first.case_id,
            }
        )
        await db.write(lambda session: intake.add_intake(session, None, raced))
        assert await CaseGateway(client, settings).join(raced)
        moved = await wait_for_request_case(db, "R-RACED", lambda case_id: case_id != first.case_id)
        await wait_for_status(db, moved, "dispatched")

        # The last visit answered, the case's workflow ends; a join then is refused outright.
        await answer_callback(case, still_open, CallbackAnswer.satisfied)
        assert (await case.result()).status == "closed"
        assert not await CaseGateway(client, settings).join(raced)
        await record_history(client, case.id, "case_late_joiners")


async def wait_for_request_case(db: Database, request_id: str, ready: Callable[[str], bool]) -> str:
    async def case_of() -> str:
        async with db.session() as session:
            return (await session.get_one(RequestRow, request_id)).case_id

    await eventually(lambda: _ready(case_of(), ready))
    return await case_of()


async def _ready(case_id: Awaitable[str], ready: Callable[[str], bool]) -> bool:
    return ready(await case_id)


async def test_a_case_joined_again_and_again_continues_as_new_and_loses_nothing(
    time_env: WorkflowEnvironment, db: Database, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url, config_dir=ROOT / "config", task_queue="long-case", case_history_limit=100
    )
    client = time_env.client
    async with build_worker(client, settings, db):
        first = await submit(db, client, settings, new_request(FIRST, location=SITE))
        await wait_for_status(db, first.case_id, "dispatched")
        case = handle(client, first.case_id)
        first_run = (await case.describe()).run_id
        joined = [await submit(db, client, settings, new_request(AGAIN, location=SITE)) for _ in range(20)]
        assert {j.case_id for j in joined} == {first.case_id}
        await wait_for(
            db, first.case_id, lambda f: len(f.requests) == 21 and f.events[-1].kind == "request_joined", "joined"
        )
        await eventually(lambda: _ran_on(case, first_run))

        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已督促企业足额支付"))
        tasks = await pending_callbacks(db, first.case_id, 21)
        for task in tasks:
            await answer_callback(case, task, CallbackAnswer.satisfied)
        final = await closed_state(db, case)
        assert final.status == "closed" and len(final.requests) == 21
        assert len((await case.fetch_history()).events) < 200
        # Every run is found from the last (what the archive exports), and the timeline agrees
        # with them taken together (what verify checks).
        runs = await temporal_runs(client, case.id)
        assert len(runs) >= 2 and runs[0].run_id == first_run
        assert runs[-1].run_id == (await case.describe()).run_id
        store = object_store(settings.model_copy(update={"var_dir": tmp_path}))
        checked = await verify(db, case_id=first.case_id, histories=history_lookup(client, db, store))
        assert checked.ok and checked.histories["Temporal"] == 1, checked.summary()
        await record_history(client, case.id, "case_continued_as_new")
        await record_history(client, case.id, "case_before_continue_as_new", first_run)


async def _ran_on(case: WorkflowHandle[CaseWorkflow, CaseState], first_run: str | None) -> bool:
    return (await case.describe()).run_id != first_run


async def test_an_address_only_request_is_compared_with_those_at_its_door_number(db: Database) -> None:
    """A town holds thousands of open cases; other door numbers are other places (unless the
    matter is area-wide), so they are not even read."""
    now = datetime.now(UTC)
    since = now - timedelta(days=10)
    area_wide = ("water_outage",)

    def request_at(n: int, number: int | None, hint: str = "wage_arrears") -> RequestRow:
        return RequestRow(
            id=f"R{n}",
            case_id=f"C{n}",
            channel="sms",
            channel_ref=f"ref-{n}",
            citizen_name="张三",
            citizen_phone="13800000000",
            content=FIRST,
            address=f"崖头街道成山大道{number}号",
            town_code="yatou",
            house_number=number,
            matter_hint=hint,
            received_at=now,
            intake_key_id="k_test",
        )

    open_cases = [request_at(1, 100), request_at(2, 102), request_at(3, None), request_at(4, 104, "water_outage")]
    await db.write(
        lambda session: [
            intake.add_intake(
                session, CaseRow(id=r.case_id, status="received", channel="sms", received_at=now, updated_at=now), r
            )
            for r in open_cases
        ]
    )

    async def candidates(new: RequestRow) -> list[str]:
        rows = await db.write(lambda session: intake.merge_candidates(session, new, since, since, area_wide))
        return sorted(row[0] for row in rows)

    assert await candidates(request_at(0, 100)) == ["C1", "C3", "C4"]
    assert await candidates(request_at(0, 100, "water_outage")) == ["C1", "C2", "C3", "C4"]
