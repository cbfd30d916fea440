"""A citizen looks their request up with no key: the request number and the last four digits of
their phone; they see the status, the public steps, the date expected and the reply, nothing else."""

from __future__ import annotations

import pytest

from minsheng.settings import Settings
from tests.helpers import Stack, body

pytestmark = pytest.mark.timeout(90)


async def test_a_citizen_sees_their_request_and_the_reply_and_no_one_else_does(stack: Stack) -> None:
    made = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="LK-1"))).json()
    case_id, request_id = made["case_id"], made["request_id"]
    await stack.case_when(case_id, "dispatched")
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已督促企业足额支付工资"})
    await stack.case_when(case_id, "replied")

    wrong = await stack.http.post("/v1/lookup", json={"request_id": request_id, "phone_last4": "1111"})
    unknown = await stack.http.post("/v1/lookup", json={"request_id": "R-none", "phone_last4": "0000"})
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()

    found = await stack.http.post("/v1/lookup", json={"request_id": request_id, "phone_last4": "0000"})
    assert found.status_code == 200, found.text
    seen = found.json()
    assert seen["status"] == "replied" and seen["reply"] == "已督促企业足额支付工资"
    assert seen["expected_by"] is not None
    assert [s["step"] for s in seen["steps"]][:4] == [
        "received",
        "sent to the responsible unit",
        "accepted by the unit",
        "the unit replied",
    ]
    text = found.text
    assert "王五" not in text and "13700000000" not in text and "k_" not in text and "classified" not in text


async def test_look_ups_are_rate_limited_with_retry_after(stack: Stack, settings: Settings) -> None:
    settings.lookup_per_minute = 2
    asked = {"request_id": "R-none", "phone_last4": "0000"}
    answers = [await stack.http.post("/v1/lookup", json=asked) for _ in range(3)]
    assert [a.status_code for a in answers] == [404, 404, 429]
    assert int(answers[-1].headers["retry-after"]) > 0
