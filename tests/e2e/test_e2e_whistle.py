"""Whistle and respond end to end over HTTP with unit keys, on the real dev server."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.case import Actor, RespondInput, Role, SummonsRequest, WhistleInput
from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from persistence.cases import CaseFile
from persistence.db import Database
from tests.helpers import Stack, body, eventually, handle, record_history, submit, wait_for, wait_for_event
from tests.processes import kill, worker_process
from workflows.case import CaseWorkflow

pytestmark = pytest.mark.timeout(90)


async def test_whistle_respond_rate_over_http(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="WH-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    assert (await stack.call("GET", f"/v1/cases/{case_id}", "police")).status_code == 403

    whistle = {
        "summonses": [
            {"unit": "public_security_bureau", "task": "约谈企业负责人", "reason": "涉嫌恶意欠薪"},
            {"unit": "market_regulation_bureau", "task": "调取企业登记信息", "reason": "核实企业主体"},
        ]
    }
    assert (await stack.call("POST", f"/v1/cases/{case_id}/whistle", "yatou", json=whistle)).status_code == 403
    bad = {"summonses": [{"unit": "mars", "task": "x", "reason": "y"}]}
    assert (await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=bad)).status_code == 422
    sent = await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=whistle)
    assert sent.status_code == 202, sent.text

    async def summoned() -> bool:
        case = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()
        return len(case["summonses"]) == 2 and all(s["respond_by"] for s in case["summonses"])

    await eventually(summoned)
    again = await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=whistle)
    assert again.status_code == 409 and "already summoned" in again.json()["detail"]

    # A summoned unit sees the case, and acts only on its own part.
    assert (await stack.call("GET", f"/v1/cases/{case_id}", "police")).status_code == 200
    assert case_id in [c["id"] for c in (await stack.call("GET", "/v1/cases", "police")).json()["items"]]
    for_other = await stack.call(
        "POST", f"/v1/cases/{case_id}/respond", "police", json={"summons_id": "W2", "report": "x"}
    )
    assert for_other.status_code == 403 and "is for market_regulation_bureau" in for_other.json()["detail"]
    assert (await stack.call("POST", f"/v1/cases/{case_id}/accept", "police", json={})).status_code == 403
    both = await stack.call(
        "POST",
        f"/v1/cases/{case_id}/respond",
        "police",
        json={"summons_id": "W1", "report": "x", "decline_reason": "y"},
    )
    assert both.status_code == 422

    assert (
        await stack.call(
            "POST", f"/v1/cases/{case_id}/respond", "police", json={"summons_id": "W1", "report": "已约谈"}
        )
    ).status_code == 202
    assert (
        await stack.call(
            "POST", f"/v1/cases/{case_id}/respond", "market", json={"summons_id": "W2", "decline_reason": "非本局职责"}
        )
    ).status_code == 202

    async def answered() -> bool:
        case = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()
        return sorted(s["status"] for s in case["summonses"]) == ["declined", "responded"]

    await eventually(answered)
    early = await stack.call(
        "POST", f"/v1/cases/{case_id}/rate", "hrss", json={"summons_id": "W2", "speed": 3, "quality": 3}
    )
    assert early.status_code == 409
    rated = await stack.call(
        "POST",
        f"/v1/cases/{case_id}/rate",
        "hrss",
        json={"summons_id": "W1", "speed": 5, "quality": 4, "comment": "到位及时"},
    )
    assert rated.status_code == 200, rated.text
    ruled = await stack.call(
        "POST", f"/v1/cases/{case_id}/decline-ruling", "dispatcher", json={"summons_id": "W2", "uphold": True}
    )
    assert ruled.status_code == 200

    page = (await stack.call("GET", "/v1/whistles", "leader")).json()
    police = next(u for u in page["units"] if u["unit"] == "public_security_bureau")
    assert (police["summoned"], police["responded"], police["on_time_responses"]) == (1, 1, 1)
    assert (police["average_speed"], police["average_quality"]) == (5.0, 4.0)
    assert police["average_response_minutes"] is not None and police["average_response_minutes"] >= 0
    market = next(u for u in page["units"] if u["unit"] == "market_regulation_bureau")
    assert (market["responded"], market["on_time_response_rate"]) == (0, 0.0)
    assert (await stack.call("GET", "/v1/whistles", "police", params={"unit": "yatou"})).status_code == 403

    # Shared responsibility: the case counts for the unit that responded, once for the city.
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已办结"})
    stats = (await stack.call("GET", "/v1/stats/handling", "leader")).json()
    assert sorted(u["unit"] for u in stats["units"]) == ["hrss_bureau", "public_security_bureau"]
    assert stats["city"]["replied"] == 1
    late = await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=whistle)
    assert late.status_code == 409
    await record_history(stack.env.client, case_workflow_id(case_id), "case_whistled_and_rated")


async def test_a_summoned_unit_that_never_responds_shares_the_outcome(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="WH-2"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    whistle = {"summonses": [{"unit": "yatou", "task": "走访企业", "reason": "属地核实"}]}
    assert (await stack.call("POST", f"/v1/cases/{case_id}/whistle", "hrss", json=whistle)).status_code == 202
    await eventually(lambda: _summoned(stack, case_id))
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已办结"})
    stats = (await stack.call("GET", "/v1/stats/handling", "leader")).json()
    assert sorted(u["unit"] for u in stats["units"]) == ["hrss_bureau", "yatou"]


async def _summoned(stack: Stack, case_id: str) -> bool:
    return bool((await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["summonses"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_worker_restart_between_whistle_and_response_loses_nothing(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    client = dev_env.client
    address = client.service_client.config.target_host
    log = tmp_path / "worker.log"
    lead = Actor(role=Role.unit, unit="hrss_bureau")
    with worker_process(address, settings, log) as first:
        submitted = await submit(db, client, settings)
        await wait_for_event(db, submitted.case_id, "deadlines")
        case = handle(client, submitted.case_id)
        await case.signal(
            CaseWorkflow.whistle,
            WhistleInput(actor=lead, summonses=[SummonsRequest(unit="yatou", task="属地调解", reason="工人聚集")]),
        )
        await wait_for_event(db, submitted.case_id, "response_deadline")
        kill(first)
    await case.signal(
        CaseWorkflow.respond, RespondInput(actor=Actor(role=Role.unit, unit="yatou"), summons_id="W1", report="已调解")
    )
    with worker_process(address, settings, log):
        # The summons row and the timeline are written by the step that changed them; two steps in
        # flight together may land in either order, so wait for both.
        file = await wait_for(db, submitted.case_id, _response_recorded, "recorded the response", seconds=40)
    kinds = [e.kind for e in file.events]
    assert kinds.count("summoned") == 1 and kinds.count("responded") == 1 and kinds.count("response_deadline") == 1
    assert [e.seq for e in file.events] == list(range(1, len(file.events) + 1))


def _response_recorded(file: CaseFile) -> bool:
    return (
        bool(file.summonses)
        and file.summonses[0].status == "responded"
        and "responded" in [e.kind for e in file.events]
    )
