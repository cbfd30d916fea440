"""Case events out, over HTTP: a subscriber's real webhook gets each event signed, in order; down for
a while, it gets what it missed exactly as it was sent; a replay sends again; the deliveries are
listed; a unit's own subscription and stream carry its own cases only."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from typing import Any

import pytest

from gateways.events import delivery_workflow_id
from minsheng.settings import Settings
from tests.helpers import Receiver, Stack, body, eventually, record_history

pytestmark = pytest.mark.timeout(120)


def signed_by(secret: str, headers: dict[str, str], payload: bytes) -> bool:
    """What a subscriber does with a delivery (docs/api.md, "Verifying a delivery")."""
    timestamp = headers["minsheng-timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    recent = abs(time.time() - int(timestamp)) < 300
    return recent and hmac.compare_digest(headers["minsheng-signature"], f"sha256={expected}")


async def test_a_subscriber_gets_every_event_signed_and_in_order_even_after_being_down(
    stack: Stack, settings: Settings
) -> None:
    settings.events_retry_max_seconds = 2  # the backoff's cap: the test waits seconds, not minutes
    async with Receiver() as receiver, Receiver() as unit_receiver, Receiver() as other_unit:
        made = await stack.call("POST", "/v1/event-subscriptions", "dispatcher", json={"url": receiver.url})
        assert made.status_code == 201, made.text
        subscription = made.json()
        own = await stack.call("POST", "/v1/event-subscriptions", "hrss", json={"url": unit_receiver.url})
        assert own.json()["units"] == ["hrss_bureau"] and "dispatched" in own.json()["kinds"]
        await stack.call("POST", "/v1/event-subscriptions", "yatou", json={"url": other_unit.url})

        case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="EV-1"))).json()["case_id"]
        await eventually(lambda: _has(receiver, case_id, "dispatched"))
        dispatched = next(d for d in receiver.taken() if d.event["kind"] == "dispatched")
        assert signed_by(subscription["secret"], dispatched.headers, dispatched.body)
        assert (
            dispatched.headers["minsheng-event-id"] == dispatched.event["id"] == f"{case_id}.{dispatched.event['seq']}"
        )
        assert dispatched.event["unit"] == "hrss_bureau" and "citizen" not in dispatched.body.decode()

        receiver.status = 503  # down
        await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
        await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已督促企业支付"})
        await eventually(lambda: _refused_times(receiver, 2))
        receiver.status = 200  # back
        timeline = (await stack.case_when(case_id, "replied"))["timeline"]
        await eventually(lambda: _has(receiver, case_id, "callbacks_planned"))

        got = receiver.events_of(case_id)
        assert [e["kind"] for e in got] == [e["kind"] for e in timeline[: len(got)]]
        assert [e["seq"] for e in got] == list(range(1, len(got) + 1))
        refused = [d for d in receiver.deliveries if d.status == 503]
        taken = {d.event["id"]: d.body for d in receiver.taken()}
        assert all(taken[d.event["id"]] == d.body for d in refused)  # exactly as it was sent
        assert all(signed_by(subscription["secret"], d.headers, d.body) for d in receiver.deliveries)

        async def delivery_log() -> list[dict[str, Any]]:
            path = f"/v1/event-subscriptions/{subscription['id']}/deliveries"
            return (await stack.call("GET", path, "dispatcher")).json()  # type: ignore[no-any-return]

        async def retried_logged_delivered() -> bool:
            entry = next(d for d in await delivery_log() if d["event_id"] == refused[0].event["id"])
            return entry["outcome"] == "delivered" and entry["attempts"] >= 2 and entry["status_code"] == 200

        # A batch's attempts are logged after its last send: the receiver may hold them first.
        await eventually(retried_logged_delivered)
        assert all(d["latency_ms"] is not None for d in await delivery_log())

        # A replay from the dispatch sends it again, unchanged.
        before = len(receiver.taken())
        replay = f"/v1/event-subscriptions/{subscription['id']}/replay"
        assert (await stack.call("POST", replay, "dispatcher", json={"from_position": 1})).status_code == 200
        await eventually(lambda: _again(receiver, before, dispatched.body))

        # The unit's own subscription: its kinds of its own cases; another unit's: nothing of this case.
        await eventually(lambda: _has(unit_receiver, case_id, "dispatched"))
        assert {e["kind"] for e in unit_receiver.events_of(case_id)} <= {"dispatched", "slip", "summoned"}
        assert not other_unit.events_of(case_id)
        delivery = delivery_workflow_id(subscription["id"], settings.task_queue)
        await record_history(stack.env.client, delivery, "event_delivery_retried_and_replayed")


async def test_the_live_stream_resumes_after_the_last_event_id_and_shows_a_unit_its_own_cases(
    stack: Stack, settings: Settings
) -> None:
    settings.events_stream_seconds = 1.0
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="EV-2"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    first = await _stream(stack, "auditor", "0")
    ours = [e for e in first if f'"case_id": "{case_id}"' in e["data"]]
    assert [e["event"] for e in ours][:3] == ["received", "classified", "dispatched"]
    positions = [int(e["id"]) for e in first]
    assert positions == sorted(positions)

    resumed = await _stream(stack, "auditor", str(positions[1]))
    assert [e["id"] for e in resumed][: len(first) - 2] == [e["id"] for e in first[2:]]
    assert [e["id"] for e in await _stream(stack, "hrss", "0")] == [e["id"] for e in first]  # its case
    assert await _stream(stack, "yatou", "0") == []  # not its case
    refused = await stack.http.get("/v1/events/stream", headers=stack.keys["auditor"] | {"Last-Event-ID": "x"})
    assert refused.status_code == 422


async def _stream(stack: Stack, key: str, last_event_id: str) -> list[dict[str, str]]:
    """The events of one stream (it ends after MINSHENG_EVENTS_STREAM_SECONDS), parsed."""
    headers = stack.keys[key] | {"Last-Event-ID": last_event_id}
    answer = await stack.http.get("/v1/events/stream", headers=headers)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    events = []
    for block in answer.text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "id" in fields:
            events.append(fields)
    return events


async def _has(receiver: Receiver, case_id: str, kind: str) -> bool:
    return kind in [e["kind"] for e in receiver.events_of(case_id)]


async def _refused_times(receiver: Receiver, times: int) -> bool:
    return sum(d.status == 503 for d in receiver.deliveries) >= times


async def _again(receiver: Receiver, before: int, payload: bytes) -> bool:
    await asyncio.sleep(0)
    return any(d.body == payload for d in receiver.taken()[before:])
