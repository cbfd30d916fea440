"""Request kinds, the knowledge base and answers at first contact, the callback's two questions,
and the rates, over HTTP on the real dev server."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.helpers import SHANGHAI, UNCLEAR, Stack, body, eventually

pytestmark = pytest.mark.timeout(90)
ASKED = "请问灵活就业人员怎么办理社保缴费？需要什么材料"
ENTRY = {
    "title": "灵活就业人员社保缴费",
    "text": "携带身份证到社保服务窗口登记，或在政务服务网办理，按月缴费。",
    "source": "人社局2026年第3号公告",
    "valid_from": "2026-01-01",
}


async def test_the_knowledge_base_keeps_every_version(stack: Stack) -> None:
    created = await stack.call("POST", "/v1/knowledge", "dispatcher", json=ENTRY)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert (entry["version"], entry["retired_at"]) == (1, None)
    found = (await stack.call("GET", "/v1/knowledge", "intake", params={"q": ASKED, "on": "2026-11-24"})).json()
    assert [e["id"] for e in found["items"]] == [entry["id"]] and found["items"][0]["score"] > 0

    edited = await stack.call(
        "PUT",
        f"/v1/knowledge/{entry['id']}",
        "dispatcher",
        json=ENTRY | {"text": "在政务服务网办理", "valid_until": "2026-12-31"},
    )
    assert edited.json()["version"] == 2
    assert (await stack.call("DELETE", f"/v1/knowledge/{entry['id']}", "dispatcher")).json()["version"] == 3
    versions = (await stack.call("GET", f"/v1/knowledge/{entry['id']}/versions", "auditor")).json()
    assert [(v["version"], v["change"]) for v in versions] == [(1, "created"), (2, "edited"), (3, "retired")]
    assert versions[0]["text"] == ENTRY["text"] and versions[1]["valid_until"] == "2026-12-31"
    assert (await stack.call("GET", "/v1/knowledge", "intake", params={"q": ASKED})).json()["items"] == []

    again = await stack.call("PUT", f"/v1/knowledge/{entry['id']}", "dispatcher", json=ENTRY)
    assert again.status_code == 409 and "retired" in again.json()["detail"]
    assert (await stack.call("GET", "/v1/knowledge/999999", "intake")).status_code == 404
    backwards = await stack.call("POST", "/v1/knowledge", "dispatcher", json=ENTRY | {"valid_until": "2025-01-01"})
    assert backwards.status_code == 422 and "valid_until 2025-01-01 is before valid_from" in backwards.text
    unknown = await stack.call("POST", "/v1/knowledge", "dispatcher", json=ENTRY | {"matter_types": ["no_such"]})
    assert unknown.status_code == 422 and "unknown matter types ['no_such']" in unknown.text


async def test_a_consultation_answered_on_the_call_never_reaches_a_unit(stack: Stack) -> None:
    entry = (await stack.call("POST", "/v1/knowledge", "dispatcher", json=ENTRY)).json()
    answered = {"answer": "可在政务服务网办理，或携带身份证到社保窗口登记。", "knowledge_entry": entry["id"]}
    taken = await stack.call(
        "POST", "/v1/requests", "intake", json=body(content=ASKED, channel_ref="FC-1", answered=answered)
    )
    assert taken.status_code == 201, taken.text
    case_id = taken.json()["case_id"]
    replied = await stack.case_when(case_id, "replied")
    assert (replied["unit"], replied["kind"], replied["first_contact"], replied["knowledge_entry"]) == (
        None,
        "consultation",
        True,
        entry["id"],
    )
    assert "dispatched" not in [e["kind"] for e in replied["timeline"]]
    queue = (await stack.call("GET", "/v1/dispatch-queue", "dispatcher")).json()
    assert case_id not in [c["id"] for c in queue["items"]]

    async def one_task() -> list[dict]:
        page = (await stack.call("GET", "/v1/callbacks", "agent", params={"status": "pending"})).json()
        return [t for t in page["items"] if t["case_id"] == case_id]

    await eventually(lambda: _some(one_task))
    (task,) = await one_task()
    half = await stack.call("POST", f"/v1/callbacks/{task['id']}", "agent", json={"answer": "satisfied"})
    assert half.status_code == 422 and "ask whether it was solved" in half.text
    done = await stack.call(
        "POST", f"/v1/callbacks/{task['id']}", "agent", json={"answer": "satisfied", "resolution": "solved"}
    )
    assert done.status_code == 200, done.text
    closed = await stack.case_when(case_id, "closed")
    assert closed["resolved_first_time"] is True and closed["callbacks"][0]["resolution"] == "solved"

    today = datetime.now(SHANGHAI).date().isoformat()
    city = (await stack.call("GET", "/v1/stats/rates", "leader", params={"scope": "city", "date": today})).json()
    (figures,) = city["items"]
    assert figures["key"] == "city" and figures["first_contact_rate"] == 1.0 and figures["resolution_rate"] == 1.0
    assert (figures["counts"]["closed"], figures["counts"]["answered_first_contact"]) == (1, 1)
    units = (await stack.call("GET", "/v1/stats/rates", "leader", params={"scope": "unit", "date": today})).json()
    assert units["items"] == []  # the centre answered it: no unit's figure
    kinds = (await stack.call("GET", "/v1/stats/kinds", "leader", params={"month": today[:7]})).json()
    assert {"kind": "consultation", "unit": None, "requests": 1} in kinds["by_kind"]
    listed = (await stack.call("GET", "/v1/cases", "auditor", params={"kind": "consultation"})).json()
    assert [c["id"] for c in listed["items"]] == [case_id]


async def _some(find: object) -> bool:
    return bool(await find())  # type: ignore[operator]


async def test_an_answer_that_may_not_be_given_is_refused_with_why(stack: Stack) -> None:
    old = (await stack.call("POST", "/v1/knowledge", "dispatcher", json=ENTRY | {"valid_until": "2026-01-31"})).json()
    expired = await stack.call(
        "POST",
        "/v1/requests",
        "intake",
        json=body(content=ASKED, channel_ref="FC-2", answered={"answer": "旧答复", "knowledge_entry": old["id"]}),
    )
    assert expired.status_code == 422
    assert expired.json()["detail"][0]["loc"] == ["body", "answered", "knowledge_entry"]
    assert f"knowledge entry {old['id']} expired on 2026-01-31" in expired.text
    batch = await stack.call(
        "POST",
        "/v1/requests:batch",
        "intake",
        json={"requests": [body(channel_ref="FC-3", answered={"answer": "答复"})]},
    )
    assert batch.json()["items"][0]["status"] == "refused"


async def test_the_centre_answers_a_queued_request_and_not_solved_sends_it_back(stack: Stack) -> None:
    case_id = (
        await stack.call("POST", "/v1/requests", "intake", json=body(content=UNCLEAR, channel_ref="FC-4"))
    ).json()["case_id"]
    await stack.case_when(case_id, "received")  # the classifier is not sure: the dispatch queue
    refused = await stack.call("POST", f"/v1/cases/{case_id}/answer", "hrss", json={"answer": "答复"})
    assert refused.status_code == 403
    answered = await stack.call(
        "POST", f"/v1/cases/{case_id}/answer", "dispatcher", json={"answer": "已电话答复办理流程"}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "replied"
    twice = await stack.call("POST", f"/v1/cases/{case_id}/answer", "dispatcher", json={"answer": "再答复"})
    assert twice.status_code == 409 and "needs a case that is received or returned" in twice.text

    async def task() -> list[dict]:
        page = (await stack.call("GET", "/v1/callbacks", "agent", params={"status": "pending"})).json()
        return [t for t in page["items"] if t["case_id"] == case_id]

    await eventually(lambda: _some(task))
    (pending,) = await task()
    said = {"answer": "basically_satisfied", "resolution": "not_solved"}
    assert (await stack.call("POST", f"/v1/callbacks/{pending['id']}", "agent", json=said)).status_code == 200
    back = await stack.case_when(case_id, "received")  # reopened: to the queue, for a unit this time
    reopened = next(e for e in back["timeline"] if e["kind"] == "reopened")
    assert back["reopened"] == 1 and reopened["detail"]["not_solved"] == back["requests"][0]["id"]
