"""An anonymous request (no name, no phone): taken in and handled like any other, never called back
(and not counted unreachable), and looked up by the token handed at intake."""

from __future__ import annotations

from datetime import datetime

import pytest

from minsheng.temporal import case_workflow_id
from tests.helpers import SHANGHAI, Stack, body, record_history

pytestmark = pytest.mark.timeout(90)


async def test_an_anonymous_request_is_handled_closed_without_a_callback_and_looked_up_by_token(stack: Stack) -> None:
    anonymous = body(channel_ref="AN-1")
    del anonymous["citizen"]
    made = await stack.call("POST", "/v1/requests", "intake", json=anonymous)
    assert made.status_code == 201, made.text
    case_id, token = made.json()["case_id"], made.json()["lookup_token"]
    again = await stack.call("POST", "/v1/requests", "intake", json=anonymous)
    assert again.status_code == 200 and again.json()["lookup_token"] == token  # the same on a repeat

    await stack.case_when(case_id, "dispatched")
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已清理"})
    case = await stack.case_when(case_id, "closed")
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds[-2:] == ["no_callback", "closed"] and "callbacks_planned" not in kinds
    assert case["outcome"] is None and case["requests"][0]["citizen"] is None
    queue = (await stack.call("GET", "/v1/callbacks?status=pending", "agent")).json()
    assert all(task["case_id"] != case_id for task in queue["items"])

    seen = (await stack.http.post("/v1/lookup", json={"token": token})).json()
    assert (seen["status"], seen["reply"]) == ("closed", "已清理")
    both = await stack.http.post("/v1/lookup", json={"token": token, "request_id": made.json()["request_id"]})
    assert both.status_code == 422

    day = datetime.fromisoformat(case["received_at"]).astimezone(SHANGHAI).date()  # the city's date
    stats = (await stack.call("GET", f"/v1/stats/intake?from={day}&to={day}", "dispatcher")).json()
    assert stats["periods"][0]["total"]["anonymous"] >= 1
    await record_history(stack.env.client, case_workflow_id(case_id), "case_anonymous_no_callback")
