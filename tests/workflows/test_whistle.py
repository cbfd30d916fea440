"""Whistle and respond (吹哨报到) in the time-skipping test server."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from domain.case import (
    AcceptInput,
    Actor,
    RateInput,
    ReplyInput,
    RespondInput,
    Role,
    RuleDeclineInput,
    SummonsRequest,
    WhistleInput,
)
from domain.reference import Tier
from minsheng.settings import Settings
from minsheng.temporal import CASE_WAITING_ON
from persistence.db import Database
from persistence.models import SummonsRow
from tests.helpers import case_file, dispatched_case, handle, slips, wait_for
from worker import build_worker
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(90)]
LEAD = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_lead")
DISPATCHER = Actor(role=Role.dispatcher, key_id="k_disp")


def unit(code: str) -> Actor:
    return Actor(role=Role.unit, unit=code, key_id=f"k_{code}")


async def refusal(update: Awaitable[object]) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await update
    return str(failed.value.cause)


async def summonses(db: Database, case_id: str) -> dict[str, SummonsRow]:
    async with db.session() as session:
        rows = (await session.exec(SummonsRow.__table__.select().where(SummonsRow.case_id == case_id))).all()  # type: ignore[attr-defined]
    return {r.unit: r for r in rows}


async def test_three_departments_summoned_two_in_time_one_late(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    env = own_time_env
    async with build_worker(env.client, settings, db):
        case_id = await dispatched_case(env, db, settings, Tier.red)  # response limit: 2 hours
        case = handle(env.client, case_id)
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=LEAD))
        await case.signal(
            CaseWorkflow.whistle,
            WhistleInput(
                actor=LEAD,
                summonses=[
                    SummonsRequest(unit="public_security_bureau", task="控制欠薪企业负责人", reason="涉嫌恶意欠薪"),
                    SummonsRequest(unit="market_regulation_bureau", task="调取企业登记信息", reason="核实企业主体"),
                    SummonsRequest(unit="yatou", task="属地稳控", reason="工人聚集"),
                ],
            ),
        )
        await wait_for(
            db, case_id, lambda f: sum(e.kind == "response_deadline" for e in f.events) == 3, "set 3 response deadlines"
        )
        attributes = (await case.describe()).typed_search_attributes
        assert sorted(attributes.get(CASE_WAITING_ON) or []) == [
            "market_regulation_bureau",
            "public_security_bureau",
            "yatou",
        ]

        await env.sleep(timedelta(minutes=30))
        await case.signal(
            CaseWorkflow.respond,
            RespondInput(actor=unit("public_security_bureau"), summons_id="W1", report="已约谈企业负责人"),
        )
        await case.signal(
            CaseWorkflow.respond,
            RespondInput(actor=unit("market_regulation_bureau"), summons_id="W2", report="已提供登记信息"),
        )
        await wait_for(db, case_id, lambda f: sum(e.kind == "responded" for e in f.events) == 2, "recorded 2 responses")
        await env.sleep(timedelta(hours=3))  # past the 2-hour response limit for 属地 yatou
        await wait_for(
            db,
            case_id,
            lambda f: any(e.kind == "slip" and e.detail["trigger"] == "response:W3" for e in f.events),
            "slipped W3",
        )
        await case.signal(CaseWorkflow.respond, RespondInput(actor=unit("yatou"), summons_id="W3", report="已到场稳控"))
        await wait_for(db, case_id, lambda f: sum(e.kind == "responded" for e in f.events) == 3, "recorded 3 responses")
        await env.sleep(timedelta(hours=3))
        response_slips = [s for s in await slips(db, case_id) if s[2].startswith("response")]
        assert response_slips == [(1, "supervision", "response:W3")], "one slip, for the late unit only"

        await case.execute_update(
            CaseWorkflow.rate, RateInput(actor=LEAD, summons_id="W1", speed=5, quality=4, comment="响应迅速")
        )
        again = case.execute_update(CaseWorkflow.rate, RateInput(actor=LEAD, summons_id="W1", speed=1, quality=1))
        assert "already rated" in await refusal(again)
        other = case.execute_update(
            CaseWorkflow.rate, RateInput(actor=unit("yatou"), summons_id="W2", speed=1, quality=1)
        )
        assert "only the lead unit" in await refusal(other)

        rows = await summonses(db, case_id)
        assert {u: r.status for u, r in rows.items()} == dict.fromkeys(rows, "responded")
        assert (rows["public_security_bureau"].speed, rows["public_security_bureau"].quality) == (5, 4)
        assert rows["yatou"].responded_at > rows["yatou"].respond_by
        assert rows["market_regulation_bureau"].responded_at <= rows["market_regulation_bureau"].respond_by
        assert (await case.describe()).typed_search_attributes.get(CASE_WAITING_ON) in (None, [])


async def test_a_decline_goes_to_the_dispatcher(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    env = own_time_env
    async with build_worker(env.client, settings, db):
        case_id = await dispatched_case(env, db, settings, Tier.yellow)
        case = handle(env.client, case_id)
        await case.signal(
            CaseWorkflow.whistle,
            WhistleInput(
                actor=LEAD,
                summonses=[
                    SummonsRequest(unit="housing_bureau", task="核查工程款拨付", reason="建筑工地欠薪"),
                    SummonsRequest(unit="transport_bureau", task="核查运输合同", reason="涉运输企业"),
                ],
            ),
        )
        await case.signal(
            CaseWorkflow.respond,
            RespondInput(actor=unit("housing_bureau"), summons_id="W1", decline_reason="项目不在我局监管范围"),
        )
        await case.signal(
            CaseWorkflow.respond,
            RespondInput(actor=unit("transport_bureau"), summons_id="W2", decline_reason="非运输企业"),
        )
        await wait_for(db, case_id, lambda f: sum(e.kind == "declined" for e in f.events) == 2, "recorded 2 declines")
        by_lead = case.execute_update(
            CaseWorkflow.rule_decline, RuleDeclineInput(actor=LEAD, summons_id="W1", uphold=True)
        )
        assert "only dispatcher" in await refusal(by_lead)
        await case.execute_update(
            CaseWorkflow.rule_decline,
            RuleDeclineInput(actor=DISPATCHER, summons_id="W1", uphold=False, note="属住建领域，须报到"),
        )
        await case.execute_update(
            CaseWorkflow.rule_decline,
            RuleDeclineInput(actor=DISPATCHER, summons_id="W2", uphold=True, note="确非运输企业"),
        )
        await wait_for(
            db,
            case_id,
            lambda f: [e.detail["summons_id"] for e in f.events if e.kind == "response_deadline"].count("W1") == 2,
            "set W1 a new response deadline after the overrule",
        )
        rows = await summonses(db, case_id)
        assert (rows["housing_bureau"].status, rows["transport_bureau"].status) == ("summoned", "released")
        assert rows["housing_bureau"].ruling_note == "属住建领域，须报到"
        assert (await case.describe()).typed_search_attributes.get(CASE_WAITING_ON) == ["housing_bureau"]


async def test_a_whistle_after_the_reply_or_by_another_unit_is_refused(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    env = own_time_env
    async with build_worker(env.client, settings, db):
        case_id = await dispatched_case(env, db, settings, Tier.blue)
        case = handle(env.client, case_id)
        summon = [SummonsRequest(unit="housing_bureau", task="x", reason="y")]
        await case.signal(CaseWorkflow.whistle, WhistleInput(actor=unit("yatou"), summonses=summon))
        await case.execute_update(CaseWorkflow.accept, AcceptInput(actor=LEAD))
        await case.execute_update(CaseWorkflow.reply, ReplyInput(actor=LEAD, result="已办结"))
        await case.signal(CaseWorkflow.whistle, WhistleInput(actor=LEAD, summonses=summon))
        file = await wait_for(
            db, case_id, lambda f: sum(e.kind == "refused" for e in f.events) == 2, "recorded 2 refusals"
        )
        reasons = [e.detail["reason"] for e in file.events if e.kind == "refused"]
        assert "assigned to hrss_bureau, not to yatou" in reasons[0]
        assert "a whistle needs a case that is dispatched or accepted" in reasons[1]
        assert await summonses(db, case_id) == {}
        assert (await case_file(db, case_id)).case.status == "replied"
