"""Merging repeat submissions at intake (一事多投), in the time-skipping server with the real
activities on SQLite: a request of the same matter joins the running case, racing with the reply
too; a look-alike elsewhere, another problem, or a closed case gets a case of its own."""

from __future__ import annotations

import asyncio

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.case import AcceptInput, Actor, CallbackAnswer, ReplyInput, Role
from domain.request import Location
from minsheng.intake import join_case
from minsheng.settings import Settings
from persistence.db import Database
from tests.helpers import (
    WAGES,
    answer_callback,
    case_file,
    handle,
    new_request,
    pending_callbacks,
    submit,
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
        other_problem = await submit(db, client, settings, new_request("工地晚上施工噪音太大，吵得睡不着", location=SITE))
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
        assert (await case.result()).status == "closed"

        # A closed case takes no more: the same report again opens a new case.
        later = await submit(db, client, settings, new_request(AGAIN, location=SITE))
        assert not later.merged and later.case_id != first.case_id
        # And a join that comes too late is refused, so intake opens a case of its own instead.
        late = (await case_file(db, later.case_id)).requests[0]
        assert not await join_case(client, late.model_copy(update={"case_id": first.case_id}))


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
