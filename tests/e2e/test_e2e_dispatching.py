"""Over HTTP on the real dev server, SQLite and PostgreSQL: batch intake from an offline channel,
the dispatch queue, a dispatcher's split and manual merge (一事多投), and requests against cases."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.textclassifier import Example
from minsheng import classifier
from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from tests.helpers import GAS, UNCLEAR, WAGES, Stack, body, eventually, record_history, somewhere

AGAIN = "我们在这家公司干活，老板拖欠工资三个月不发，人也找不到"


def grid_item(ref: str, content: str, **overrides: object) -> dict:
    return body(channel="grid_worker", channel_ref=ref, content=content, location=somewhere().model_dump()) | overrides


async def test_a_batch_with_bad_items_lands_the_good_ones_and_says_why_for_the_others(stack: Stack) -> None:
    site = somewhere().model_dump()
    items = [
        grid_item("G-1", WAGES, location=site),
        grid_item("G-2", "", location=site),  # empty content
        grid_item("G-3", AGAIN, location=site),  # the same matter as G-1: merged
        grid_item("G-1", WAGES, location=site),  # the same upload twice
        grid_item("G-4", GAS, channel="carrier_pigeon"),
        {"channel": "grid_worker", "channel_ref": "G-5"},
        grid_item("G-6", GAS, citizen={"name": "李四", "phone": "call me"}),
        "not an object",
        grid_item("G-7", GAS),
    ]
    answer = await stack.call("POST", "/v1/requests:batch", "intake", json={"requests": items})
    assert answer.status_code == 200, answer.text
    out = answer.json()
    assert [i["status"] for i in out["items"]] == [
        "created",
        "refused",
        "merged",
        "existing",
        "refused",
        "refused",
        "refused",
        "refused",
        "created",
    ]
    assert out["counts"] == {"created": 2, "merged": 1, "existing": 1, "refused": 5}
    first, empty, merged, again, pigeon, bare, phone, scalar, gas = out["items"]
    assert merged["case_id"] == first["case_id"] and again["request_id"] == first["request_id"]
    assert [e["field"] for e in empty["errors"]] == ["content"]
    assert pigeon["errors"] == [
        {"field": "channel", "msg": "unknown channel 'carrier_pigeon'; the channels are in config/channels.yaml"}
    ]
    assert {e["field"] for e in bare["errors"]} == {"content", "address"}  # no citizen: anonymous
    assert [e["field"] for e in phone["errors"]] == ["citizen.phone"]
    assert scalar["errors"][0]["field"] == "item" and scalar["channel_ref"] is None

    case = await stack.case_when(first["case_id"], "dispatched")
    assert [r["channel_ref"] for r in case["requests"]] == ["G-1", "G-3"]
    await stack.case_when(gas["case_id"], "dispatched")
    # The whole upload again: nothing new.
    resent = (await stack.call("POST", "/v1/requests:batch", "intake", json={"requests": items})).json()
    assert resent["counts"] == {"existing": 4, "refused": 5}

    too_many = await stack.call("POST", "/v1/requests:batch", "intake", json={"requests": [items[0]] * 501})
    assert too_many.status_code == 422 and too_many.json()["detail"][0]["loc"] == ["body", "requests"]
    empty_batch = await stack.call("POST", "/v1/requests:batch", "intake", json={"requests": []})
    assert empty_batch.status_code == 422
    assert (await stack.call("POST", "/v1/requests:batch", "dispatcher", json={"requests": items})).status_code == 403


async def test_a_dispatcher_splits_a_wrong_merge_out_and_merges_two_cases_by_hand(stack: Stack) -> None:
    site = somewhere().model_dump()
    first = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="A-1", location=site))).json()
    second = (
        await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="A-2", content=AGAIN, location=site))
    ).json()
    assert second["status"] == "merged" and second["case_id"] == first["case_id"]
    await stack.case_when(first["case_id"], "dispatched")

    # Split: the second request was a different matter after all.
    refused = await stack.call(
        "POST",
        f"/v1/cases/{first['case_id']}/split",
        "dispatcher",
        json={"request_id": first["request_id"], "reason": "不是同一件事"},
    )
    assert refused.status_code == 409 and "stays with it" in refused.json()["detail"]
    assert (
        await stack.call("POST", f"/v1/cases/{first['case_id']}/split", "hrss", json={"request_id": "x", "reason": "r"})
    ).status_code == 403
    split = await stack.call(
        "POST",
        f"/v1/cases/{first['case_id']}/split",
        "dispatcher",
        json={"request_id": second["request_id"], "reason": "不是同一家公司"},
    )
    assert split.status_code == 200, split.text
    new_case_id = split.json()["new_case_id"]
    assert [r["id"] for r in split.json()["case"]["requests"]] == [first["request_id"]]
    assert split.json()["case"]["timeline"][-1]["kind"] == "request_split"
    own = await stack.case_when(new_case_id, "dispatched")
    assert [r["id"] for r in own["requests"]] == [second["request_id"]]
    assert own["requests"][0]["merged_place"] is None

    # Merge by hand: the split-out case was the same matter after all.
    merged = await stack.call(
        "POST", f"/v1/cases/{new_case_id}/merge", "dispatcher", json={"into": first["case_id"], "reason": "同一家公司"}
    )
    assert merged.status_code == 200, merged.text
    assert [r["id"] for r in merged.json()["requests"]] == [first["request_id"], second["request_id"]]
    gone = await stack.case_when(new_case_id, "merged")
    await record_history(stack.env.client, case_workflow_id(new_case_id), "case_merged_by_hand")
    assert (
        gone["timeline"][-1]["kind"] == "merged" and gone["timeline"][-1]["detail"]["into_case_id"] == first["case_id"]
    )
    again = await stack.call(
        "POST", f"/v1/cases/{new_case_id}/merge", "dispatcher", json={"into": first["case_id"], "reason": "again"}
    )
    assert again.status_code == 409
    missing = await stack.call(
        "POST", f"/v1/cases/{first['case_id']}/merge", "dispatcher", json={"into": "nope", "reason": "r"}
    )
    assert missing.status_code == 404

    corrections = (await stack.call("GET", "/v1/merge-corrections", "auditor")).json()["items"]
    assert [(c["kind"], c["request_id"], c["from_case_id"], c["to_case_id"]) for c in corrections] == [
        ("split", second["request_id"], first["case_id"], new_case_id),
        ("merge", second["request_id"], new_case_id, first["case_id"]),
    ]
    assert corrections[0]["merged_place"] == "0 m" and corrections[0]["content"] == AGAIN
    # Each a training pair: the request wrongly merged with the first, then merged with it by hand.
    assert [c["counterpart"]["request_id"] for c in corrections] == [first["request_id"]] * 2
    assert corrections[1]["counterpart"]["content"] != AGAIN and corrections[1]["received_at"]

    # Both citizens are visited after the reply, the merged one included.
    assert (await stack.call("POST", f"/v1/cases/{first['case_id']}/accept", "hrss", json={})).status_code == 200
    assert (
        await stack.call("POST", f"/v1/cases/{first['case_id']}/reply", "hrss", json={"result": "已支付"})
    ).status_code == 200

    async def visits() -> bool:
        tasks = (await stack.call("GET", "/v1/callbacks", "agent", params={"status": "pending"})).json()["items"]
        return {t["request_id"] for t in tasks if t["case_id"] == first["case_id"]} == {
            first["request_id"],
            second["request_id"],
        }

    await eventually(visits)
    await record_history(stack.env.client, case_workflow_id(first["case_id"]), "case_split_then_merged_into")

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the city's day
    stats = (await stack.call("GET", "/v1/stats/intake", "leader", params={"from": today, "to": today})).json()
    [period] = stats["periods"]
    assert period["total"] | {"channel": "*"} == {
        "channel": "*",
        "requests": 2,
        "cases": 1,
        "merged": 1,
        "reduction": 0.5,
        "anonymous": 0,
    }


async def test_the_dispatch_queue_shows_what_the_classifier_was_unsure_of(stack: Stack, settings: Settings) -> None:
    unclear = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="U-1", content=UNCLEAR))).json()
    clear = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="U-2"))).json()
    await stack.case_when(clear["case_id"], "dispatched")

    async def queued() -> list[dict]:
        return (await stack.call("GET", "/v1/dispatch-queue", "dispatcher")).json()["items"]

    await eventually(lambda: _has_suggestion(queued()))
    [item] = await queued()
    assert (item["case_id"], item["content"], item["town"]) == (unclear["case_id"], UNCLEAR, "yatou")
    suggestion = item["suggestion"]
    assert suggestion["kind"] == "classified"
    # The dispatcher sees the three best matter types, their scores and the words that decided,
    # and which model proposed them.
    assert suggestion["model"] == settings.model_store.active().version
    proposals = suggestion["proposals"]
    assert len(proposals) == 3 and proposals[0]["matter_type"] == suggestion["matter_type"]
    assert [p["score"] for p in proposals] == sorted((p["score"] for p in proposals), reverse=True)
    assert all(p["words"] and all(w in UNCLEAR for w in p["words"]) for p in proposals)
    assert suggestion["confidence"] < settings.model_store.active().threshold
    # An auditor reads the same in the case's timeline: which model decided, and what it proposed.
    case = (await stack.call("GET", f"/v1/cases/{unclear['case_id']}", "auditor")).json()
    assert case["classifier_model"] == suggestion["model"]
    [classified] = [e for e in case["timeline"] if e["kind"] == "classified"]
    assert classified["detail"]["model"] == suggestion["model"]
    assert json.loads(classified["detail"]["proposals"]) == proposals
    assert (await stack.call("GET", "/v1/dispatch-queue", "hrss")).status_code == 403

    dispatched = await stack.call(
        "POST",
        f"/v1/cases/{unclear['case_id']}/dispatch",
        "dispatcher",
        json={"unit": "hrss_bureau", "matter_type": "wage_arrears"},
    )
    assert dispatched.status_code == 200, dispatched.text
    assert await queued() == []
    # The manual dispatch is a labelled example for the next `minsheng classifier train`.
    learned = await classifier.corrections(settings, 10)
    assert learned == [Example(UNCLEAR, "wage_arrears", body()["address"], "hrss_bureau")]


async def _has_suggestion(items: object) -> bool:
    listed = await items  # type: ignore[misc]
    return bool(listed) and listed[0]["suggestion"] is not None


async def test_intake_figures_reject_a_reversed_or_overlong_range(stack: Stack) -> None:
    reversed_ = await stack.call("GET", "/v1/stats/intake", "leader", params={"from": "2026-11-24", "to": "2026-11-01"})
    assert reversed_.status_code == 422 and reversed_.json()["detail"][0]["loc"] == ["query", "from"]
    long = await stack.call("GET", "/v1/stats/intake", "leader", params={"from": "2026-01-01", "to": "2026-11-01"})
    assert long.status_code == 422 and "at most 92 days" in long.json()["detail"][0]["msg"]
    months = await stack.call(
        "GET", "/v1/stats/intake", "leader", params={"from": "2026-01-15", "to": "2026-11-01", "by": "month"}
    )
    assert [p["period"] for p in months.json()["periods"]][:2] == ["2026-01", "2026-02"]
    assert months.json()["periods"][0]["total"]["reduction"] is None
