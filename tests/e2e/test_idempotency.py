"""Idempotency-Key on case actions: a retry is answered as the first call was, applied once."""

from __future__ import annotations

import httpx

from domain.case import Actor, ReplyInput, Role
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from persistence import keys
from persistence.db import Database
from tests.helpers import Stack, body


async def _kinds(stack: Stack, case_id: str) -> list[str]:
    return [e["kind"] for e in (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["timeline"]]


async def _call(stack: Stack, path: str, payload: dict[str, str], key: str) -> httpx.Response:
    headers = stack.keys["hrss"] | {"Idempotency-Key": key}
    return await stack.http.post(path, json=payload, headers=headers)


async def test_a_retried_action_is_answered_as_the_first_and_applied_once(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="IK-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    accept = f"/v1/cases/{case_id}/accept"

    first = await _call(stack, accept, {"note": "已签收"}, "accept-1")
    again = await _call(stack, accept, {"note": "已签收"}, "accept-1")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert (await _kinds(stack, case_id)).count("accepted") == 1

    other = await _call(stack, accept, {"note": "另一个"}, "accept-1")
    assert other.status_code == 422 and other.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_a_refusal_is_the_answer_for_good(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="IK-2"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    reply = f"/v1/cases/{case_id}/reply"
    early = await _call(stack, reply, {"result": "已办"}, "reply-early")
    assert early.status_code == 409
    assert (await _call(stack, f"/v1/cases/{case_id}/accept", {}, "accept-2")).status_code == 200
    # The case would take the reply now; the key's answer stays the first one, and nothing is applied.
    retried = await _call(stack, reply, {"result": "已办"}, "reply-early")
    assert retried.status_code == 409 and retried.json() == early.json()
    assert "replied" not in await _kinds(stack, case_id)
    assert (await _call(stack, reply, {"result": "已办"}, "reply-new")).status_code == 200


async def test_an_action_cut_off_after_the_case_took_it_is_applied_once(
    stack: Stack, db: Database, settings: Settings
) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="IK-3"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    assert (await _call(stack, f"/v1/cases/{case_id}/accept", {}, "accept-3")).status_code == 200
    secret = stack.keys["hrss"]["Authorization"].removeprefix("Bearer ")
    async with db.session() as session:
        key = await keys.find_api_key(session, secret)
    assert key is not None
    # The first call reached the case and the connection dropped before its answer was kept.
    actor = Actor(role=Role.unit, unit="hrss_bureau", key_id=key.id)
    inp = ReplyInput(actor=actor, result="已办")
    await CaseGateway(stack.env.client, settings).act(case_id, "reply", inp, update_id=f"{key.id}:reply-3")
    retried = await _call(stack, f"/v1/cases/{case_id}/reply", {"result": "已办"}, "reply-3")
    assert retried.status_code == 200 and retried.json()["status"] == "replied"
    assert (await _kinds(stack, case_id)).count("replied") == 1
