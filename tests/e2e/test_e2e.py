"""End to end over HTTP: the real Temporal dev server, a worker and the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import pytest

from minsheng.settings import Settings
from minsheng.temporal import CASE_CHANNEL, CASE_STATUS, CASE_UNIT, case_workflow_id
from tests.helpers import Stack, body, eventually, record_history

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As production runs the worker: workflows outside the sandbox (the rest of the suite runs
    them inside, where code that is not deterministic fails)."""
    return settings.model_copy(update={"worker_sandbox": False})


async def test_one_case_end_to_end(stack: Stack) -> None:
    created = await stack.call("POST", "/v1/requests", "intake", json=body())
    assert created.status_code == 201, created.text
    ids = created.json()
    again = await stack.call("POST", "/v1/requests", "intake", json=body())
    assert again.status_code == 200 and again.json() | {"status": "created"} == ids

    case_id = ids["case_id"]
    dispatched = await stack.case_when(case_id, "dispatched")
    assert (dispatched["unit"], dispatched["matter_type"], dispatched["tier"]) == (
        "hrss_bureau",
        "wage_arrears",
        "yellow",
    )

    accepted = await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={"note": "已签收"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    replied = await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已督促企业足额支付"})
    assert replied.json()["status"] == "replied"

    # The callback agents' queue: whom to call, for which case.
    async def queued() -> list[dict[str, object]]:
        listed = await stack.call("GET", "/v1/callbacks", "agent", params={"status": "pending"})
        return [t for t in listed.json()["items"] if t["case_id"] == case_id]

    await eventually(lambda: _nonempty(queued()))
    [task] = await queued()
    assert (task["citizen"], task["attempt"], task["gateway"]) == ({"name": "王五", "phone": "13700000000"}, 1, "queue")
    assert (await stack.call("GET", "/v1/callbacks", "hrss")).status_code == 403
    wrong = await stack.call("POST", f"/v1/callbacks/{task['id']}", "agent", json={"answer": "happy"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "answer"]
    assert (
        await stack.call("POST", "/v1/callbacks/999999", "agent", json={"answer": "satisfied", "resolution": "solved"})
    ).status_code == 404

    answered = await stack.call(
        "POST", f"/v1/callbacks/{task['id']}", "agent", json={"answer": "satisfied", "resolution": "solved"}
    )
    assert answered.status_code == 200, answered.text
    again = await stack.call(
        "POST", f"/v1/callbacks/{task['id']}", "agent", json={"answer": "dissatisfied", "resolution": "not_solved"}
    )
    assert again.status_code == 409 and "already answered" in again.json()["detail"]
    closed = await stack.case_when(case_id, "closed")
    assert [e["kind"] for e in closed["timeline"]] == [
        "received",
        "classified",
        "dispatched",
        "deadlines",
        "citizen_clock",
        "accepted",
        "replied",
        "callbacks_planned",
        "callback",
        "closed",
    ]
    assert closed["outcome"] == "satisfied"
    # The auditor need not call the citizen: the phone is masked; the dispatcher sees it whole.
    assert closed["requests"][0]["citizen"] == {"name": "王五", "phone": "137****0000"}
    seen = (await stack.call("GET", f"/v1/cases/{case_id}", "dispatcher")).json()
    assert seen["requests"][0]["citizen"] == {"name": "王五", "phone": "13700000000"}
    assert closed["callbacks"][0]["answer"] == "satisfied"

    listed = await stack.call("GET", "/v1/cases", "auditor", params={"status": "closed", "unit": "hrss_bureau"})
    assert [c["id"] for c in listed.json()["items"]] == [case_id]

    # What an operator filters on in the Temporal Web UI.
    query = (
        "CaseStatus = 'closed' AND CaseUnit = 'hrss_bureau' AND CaseChannel = 'hotline_12345' AND CaseTier = 'yellow'"
    )
    assert await _eventually_listed(stack, query, case_id)
    handle = stack.env.client.get_workflow_handle(case_workflow_id(case_id))
    attributes = (await handle.describe()).typed_search_attributes
    assert (attributes.get(CASE_STATUS), attributes.get(CASE_UNIT), attributes.get(CASE_CHANNEL)) == (
        "closed",
        "hrss_bureau",
        "hotline_12345",
    )
    await record_history(stack.env.client, case_workflow_id(case_id), "case_closed_deadlines_at_dispatch")
    await record_history(stack.env.client, case_workflow_id(case_id), "case_closed_after_callback_visit")


async def _eventually_listed(stack: Stack, query: str, case_id: str) -> bool:
    # Visibility is eventually consistent, even on the dev server.
    for _ in range(100):
        if case_workflow_id(case_id) in [w.id async for w in stack.env.client.list_workflows(query)]:
            return True
        await asyncio.sleep(0.1)
    return False


async def test_a_returned_case_is_redispatched_over_http(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="R-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    reason = {"reason": "属崖头街道辖区企业，请街道先行调解"}
    asked = await stack.call("POST", f"/v1/cases/{case_id}/return", "hrss", json=reason)
    assert asked.json()["status"] == "dispatched"  # waits for a dispatcher (退办审核)
    own = await stack.call("POST", f"/v1/cases/{case_id}/return/decision", "hrss", json={"approve": True})
    assert own.status_code == 403
    refused = await stack.call(
        "POST", f"/v1/cases/{case_id}/return/decision", "dispatcher", json={"approve": False, "note": "请先核实"}
    )
    assert refused.json()["status"] == "dispatched" and refused.json()["timeline"][-1]["kind"] == "return_refused"
    await stack.call("POST", f"/v1/cases/{case_id}/return", "hrss", json=reason)
    returned = await stack.call("POST", f"/v1/cases/{case_id}/return/decision", "dispatcher", json={"approve": True})
    assert returned.json()["status"] == "returned"
    again = await stack.call("POST", f"/v1/cases/{case_id}/return/decision", "dispatcher", json={"approve": True})
    assert again.status_code == 409
    # Both returns asked are counted; only the approved one counts as a return.
    stats = (await stack.call("GET", "/v1/stats/handling", "auditor", params={"unit": "hrss_bureau"})).json()
    [hrss] = stats["units"]
    assert (hrss["returns_asked"], hrss["returns_approved"]) == (2, 1)
    redispatched = await stack.call(
        "POST",
        f"/v1/cases/{case_id}/dispatch",
        "dispatcher",
        json={"unit": "yatou", "matter_type": "wage_arrears", "note": "街道先行调解"},
    )
    assert redispatched.status_code == 200, redispatched.text
    assert (redispatched.json()["unit"], redispatched.json()["tier"]) == ("yatou", "yellow")
    assert (await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})).status_code == 403
    assert (await stack.call("POST", f"/v1/cases/{case_id}/accept", "yatou", json={})).status_code == 200
    await record_history(stack.env.client, case_workflow_id(case_id), "case_returned_redispatched")
    await record_history(stack.env.client, case_workflow_id(case_id), "case_return_refused_then_approved")


async def test_bad_calls_get_a_reason_and_change_nothing(stack: Stack) -> None:
    before = (await stack.call("GET", "/v1/cases", "auditor")).json()["total"]

    assert (await stack.http.post("/v1/requests", json=body())).status_code == 401
    bad_key = await stack.http.post("/v1/requests", json=body(), headers={"Authorization": "Bearer nope"})
    assert bad_key.status_code == 401 and "unknown or revoked" in bad_key.text
    assert (await stack.call("POST", "/v1/requests", "dispatcher", json=body())).status_code == 403

    async def refused(payload: object, field: str, **kw: object) -> str:
        response = await stack.call("POST", "/v1/requests", "intake", **({"json": payload} | kw))  # type: ignore[arg-type]
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert any(field in [str(p) for p in d["loc"]] for d in detail), detail
        return response.text

    assert "unknown channel 'fax'" in await refused(body(channel="fax"), "channel")
    await refused({k: v for k, v in body().items() if k != "content"}, "content")
    await refused(body(content="诉" * 4001), "content")
    await refused(body(location={"lat": 137.0, "lon": 122.4}), "lat")
    await refused(body(grid="somewhere"), "grid")
    await refused(body(citizen={"name": "王五", "phone": "call me"}), "phone")
    await refused(body(reported_at="2099-01-01T00:00:00+08:00"), "reported_at")
    await refused(body(surprise=1), "surprise")
    malformed = await stack.http.post(
        "/v1/requests", content=b'{"channel": ', headers={**stack.keys["intake"], "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    # The caller's request id comes back, on a refusal too, to find the call in the logs.
    traced = await stack.http.post(
        "/v1/requests", json=body(channel="fax"), headers={**stack.keys["intake"], "x-request-id": "ops-42"}
    )
    assert traced.status_code == 422 and traced.headers["x-request-id"] == "ops-42"
    assert len((await stack.http.get("/healthz")).headers["x-request-id"]) == 16

    assert (await stack.call("GET", "/v1/cases/20990101-NOSUCHCASE", "auditor")).status_code == 404
    assert (await stack.call("GET", "/v1/cases", "hrss", params={"unit": "yatou"})).status_code == 403
    assert (await stack.call("GET", "/v1/cases", "intake")).status_code == 403

    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="E-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    early = await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已办"})
    assert early.status_code == 409 and "reply needs a case that is accepted" in early.json()["detail"]
    other_unit = await stack.call("POST", f"/v1/cases/{case_id}/accept", "yatou", json={})
    assert other_unit.status_code == 403 and "not assigned to your unit" in other_unit.json()["detail"]
    assert (await stack.call("POST", f"/v1/cases/{case_id}/accept", "auditor", json={})).status_code == 403
    bad_unit = await stack.call(
        "POST", f"/v1/cases/{case_id}/dispatch", "dispatcher", json={"unit": "mars", "matter_type": "wage_arrears"}
    )
    assert bad_unit.status_code == 422 and "unknown unit 'mars'" in bad_unit.text
    blank = await stack.call("POST", f"/v1/cases/{case_id}/return", "hrss", json={"reason": "   "})
    assert blank.status_code == 422

    after = await stack.case_when(case_id, "dispatched")
    assert [e["kind"] for e in after["timeline"]] == [
        "received",
        "classified",
        "dispatched",
        "deadlines",
        "citizen_clock",
    ]
    assert (await stack.call("GET", "/v1/cases", "auditor")).json()["total"] == before + 1


async def test_a_unit_sees_only_its_own_cases(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="U-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    assert case_id in [c["id"] for c in (await stack.call("GET", "/v1/cases", "hrss")).json()["items"]]
    assert (await stack.call("GET", "/v1/cases", "yatou")).json()["items"] == []
    assert (await stack.call("GET", f"/v1/cases/{case_id}", "yatou")).status_code == 403


async def _nonempty(items: Awaitable[list[dict[str, object]]]) -> bool:
    return bool(await items)
