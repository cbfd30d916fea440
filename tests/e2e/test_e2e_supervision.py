"""Deadlines and slips end to end over HTTP, on the real dev server, with a red tier in seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from minsheng.settings import Settings
from minsheng.temporal import case_workflow_id
from tests.fast_policy import fast_config
from tests.helpers import UNCLEAR, Stack, body, eventually, record_history

pytestmark = pytest.mark.timeout(90)
GAS = "楼道里煤气味很重，怀疑燃气泄漏，请马上来人"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        config_dir=fast_config(tmp_path, due_s=4, accept_s=1, grace_s=2, dispatch_s=1),
        task_queue=f"test-{tmp_path.name[-12:]}",
    )


async def test_an_ignored_red_case_is_supervised(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(content=GAS, channel_ref="G-1"))).json()[
        "case_id"
    ]
    dispatched = await stack.case_when(case_id, "dispatched")
    assert dispatched["tier"] == "red"
    unit = dispatched["unit"]

    async def five_slips() -> bool:
        page = (await stack.call("GET", "/v1/slips", "auditor", params={"unit": unit})).json()
        return page["counts"] == {"reminder": 2, "supervision": 2, "warning": 1}

    await eventually(five_slips)
    case = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()
    assert case["overdue"] is True
    assert [e["detail"]["trigger"] for e in case["timeline"] if e["kind"] == "slip"] == [
        "acceptance",
        "reminder_point",
        "citizen_deadline",
        "deadline",
        "warning_grace",
    ]
    warnings = (await stack.call("GET", "/v1/slips", "auditor", params={"kind": "warning", "unit": unit})).json()
    assert [s["case_id"] for s in warnings["items"]] == [case_id]

    stats = (await stack.call("GET", "/v1/stats/handling", "auditor", params={"unit": unit})).json()
    assert stats["city"]["open_overdue"] == 1 and stats["city"]["replied"] == 0
    await record_history(stack.env.client, case_workflow_id(case_id), "case_red_supervised")


async def test_the_citizens_clock_runs_through_a_return_and_the_centre_is_held_to_dispatch(stack: Stack) -> None:
    """Dispatched red by hand, returned at once, re-dispatched after the centre's limit: the
    centre gets its dispatch slip, and the citizen's 4 seconds from receipt still end in one slip."""
    case_id = (
        await stack.call("POST", "/v1/requests", "intake", json=body(content=UNCLEAR, channel_ref="Q-1"))
    ).json()["case_id"]
    await stack.case_when(case_id, "received")
    red = {"unit": "hrss_bureau", "matter_type": "wage_arrears", "tier": "red"}
    assert (await stack.call("POST", f"/v1/cases/{case_id}/dispatch", "dispatcher", json=red)).status_code == 200
    asked = await stack.call("POST", f"/v1/cases/{case_id}/return", "hrss", json={"reason": "不属本单位"})
    assert asked.status_code == 200, asked.text
    approve = {"approve": True}
    returned = await stack.call("POST", f"/v1/cases/{case_id}/return/decision", "dispatcher", json=approve)
    assert returned.status_code == 200, returned.text
    case = await stack.case_when(case_id, "returned")
    received = datetime.fromisoformat(case["received_at"])
    citizen_due = datetime.fromisoformat(case["citizen_due_at"])
    assert abs(citizen_due - (received + timedelta(seconds=4))) < timedelta(milliseconds=1)
    queue = (await stack.call("GET", "/v1/dispatch-queue", "dispatcher")).json()["items"]
    assert next(q for q in queue if q["case_id"] == case_id)["dispatch_by"] is not None

    async def slipped(trigger: str) -> bool:
        timeline = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["timeline"]
        return any(e["kind"] == "slip" and e["detail"]["trigger"] == trigger for e in timeline)

    await eventually(lambda: slipped("dispatch"))
    yatou = red | {"unit": "yatou"}
    assert (await stack.call("POST", f"/v1/cases/{case_id}/dispatch", "dispatcher", json=yatou)).status_code == 200
    await eventually(lambda: slipped("citizen_deadline"))
    timeline = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["timeline"]
    clock_slips = [
        e["detail"]
        for e in timeline
        if e["kind"] == "slip" and e["detail"]["trigger"] in ("dispatch", "citizen_deadline")
    ]
    assert (clock_slips[0]["trigger"], clock_slips[0]["unit"]) == ("dispatch", "centre")
    assert [s["trigger"] for s in clock_slips].count("citizen_deadline") == 1


async def test_extension_and_tier_change_over_http(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="X-1"))).json()["case_id"]
    case = await stack.case_when(case_id, "dispatched")
    await eventually(lambda: _has_deadline(stack, case_id))
    due = datetime.fromisoformat((await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["deadline_at"])

    later = (due + timedelta(days=2)).isoformat()
    asked = await stack.call(
        "POST", f"/v1/cases/{case_id}/extension", "hrss", json={"until": later, "reason": "需调取社保记录"}
    )
    assert asked.status_code == 200, asked.text
    again = await stack.call(
        "POST", f"/v1/cases/{case_id}/extension", "hrss", json={"until": later, "reason": "再次申请"}
    )
    assert again.status_code == 409 and "already has an extension request" in again.json()["detail"]
    assert (
        await stack.call("POST", f"/v1/cases/{case_id}/extension/decision", "hrss", json={"approve": True})
    ).status_code == 403
    approved = await stack.call(
        "POST", f"/v1/cases/{case_id}/extension/decision", "dispatcher", json={"approve": True, "note": "同意"}
    )
    assert approved.status_code == 200
    assert (
        await stack.call("POST", f"/v1/cases/{case_id}/extension/decision", "dispatcher", json={"approve": True})
    ).status_code == 409

    async def moved() -> bool:
        # Between the approval's write and the new deadlines' the case row holds none.
        due_at = (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["deadline_at"]
        return due_at is not None and datetime.fromisoformat(due_at) == datetime.fromisoformat(later)

    await eventually(moved)
    bad_tier = await stack.call(
        "POST", f"/v1/cases/{case_id}/tier", "dispatcher", json={"tier": "purple", "reason": "x"}
    )
    assert bad_tier.status_code == 422
    no_reason = await stack.call("POST", f"/v1/cases/{case_id}/tier", "dispatcher", json={"tier": "green"})
    assert no_reason.status_code == 422
    changed = await stack.call(
        "POST", f"/v1/cases/{case_id}/tier", "dispatcher", json={"tier": "green", "reason": "常规事项"}
    )
    assert changed.status_code == 200 and changed.json()["tier"] == "green"
    kinds = [e["kind"] for e in changed.json()["timeline"]]
    assert kinds.count("deadlines") >= 2 and "extension_approved" in kinds and "tier_changed" in kinds
    assert case["deadline_provisional"] is False


async def _has_deadline(stack: Stack, case_id: str) -> bool:
    return (await stack.call("GET", f"/v1/cases/{case_id}", "auditor")).json()["deadline_at"] is not None


async def test_figures_count_the_cases_replied_in_the_period(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="F-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已办结"})
    now = datetime.now(UTC)
    period = {"from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    stats = (await stack.call("GET", "/v1/stats/handling", "auditor", params=period)).json()
    assert stats["city"] == {
        "unit": None,
        "replied": 1,
        "on_time": 1,
        "on_time_rate": 1.0,
        "average_working_days": 0.0,
        "open_overdue": 0,
        "citizen_on_time": 1,
        "citizen_on_time_rate": 1.0,
        "returns_asked": 0,
        "returns_approved": 0,
    }
    assert [u["unit"] for u in stats["units"]] == ["hrss_bureau"]
    own = await stack.call("GET", "/v1/stats/handling", "hrss", params={"unit": "yatou"})
    assert own.status_code == 403
    backwards = await stack.call(
        "GET", "/v1/stats/handling", "auditor", params={"from": period["to"], "to": period["from"]}
    )
    assert backwards.status_code == 422
