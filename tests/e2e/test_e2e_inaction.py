"""Typical inaction over HTTP: a leader marks a case (once), its notice is served like the monthly
notices, the month's marks are listed, and the deliveries of a case are read by leaders and auditors."""

from __future__ import annotations

import pytest

from gateways.notify import deliver_pending
from persistence.db import Database
from persistence.models import OutboxRow
from tests.helpers import Stack, body

pytestmark = pytest.mark.timeout(90)


class Collect:
    async def send(self, item: OutboxRow) -> None:
        pass


async def test_a_leader_marks_a_case_as_typical_inaction(stack: Stack, db: Database) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="INACTION-1"))).json()[
        "case_id"
    ]
    await stack.case_when(case_id, "dispatched")  # to hrss_bureau
    url = f"/v1/cases/{case_id}/typical-inaction"

    bad = await stack.call("POST", url, "leader", json={"reason": "  "})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "reason"]
    assert (await stack.call("POST", url, "leader", json={"reason": "x", "extra": 1})).status_code == 422
    assert (await stack.call("POST", url, "dispatcher", json={"reason": "超期不办"})).status_code == 403
    assert (
        await stack.call("POST", "/v1/cases/no-such/typical-inaction", "leader", json={"reason": "x"})
    ).status_code == 404

    marked = await stack.call("POST", url, "leader", json={"reason": "超期不签收，推诿扯皮"})
    assert marked.status_code == 201, marked.text
    mark = marked.json()
    assert (mark["case_id"], mark["unit"], mark["reason"]) == (case_id, "hrss_bureau", "超期不签收，推诿扯皮")
    assert mark["marked_by"] and mark["marked_at"] and len(mark["month"]) == 7
    again = await stack.call("POST", url, "leader", json={"reason": "再次"})
    assert again.status_code == 409 and "already" in again.json()["detail"]

    md = await stack.call("GET", mark["notice"]["markdown"], "auditor")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "荣成市人力资源和社会保障局" in md.text
    assert "派单" in md.text and "超期不签收，推诿扯皮" in md.text and case_id in md.text
    pdf = await stack.call("GET", mark["notice"]["pdf"], "hrss")  # the unit reads its own notice
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await stack.call("GET", mark["notice"]["pdf"], "yatou")).status_code == 404

    listed = await stack.call("GET", "/v1/typical-inaction", "auditor", params={"month": mark["month"]})
    assert [m["case_id"] for m in listed.json()] == [case_id]

    while await deliver_pending(db, Collect()):
        pass
    deliveries = (await stack.call("GET", f"/v1/cases/{case_id}/deliveries", "leader")).json()
    inaction = [d for d in deliveries if d["kind"] == "typical_inaction"]
    assert sorted(d["recipient"] for d in inaction) == sorted(
        ["hrss_bureau", "hrss_bureau:leader", "city_leadership", "discipline_commission"]
    )
    assert all(d["outcome"] == "delivered" and d["attempts"] == 1 for d in inaction)
    assert (await stack.call("GET", "/v1/cases/no-such/deliveries", "auditor")).status_code == 404
