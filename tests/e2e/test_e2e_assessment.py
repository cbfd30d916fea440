"""The monthly assessment, accountability, notices, analysis and a leader's re-run over HTTP on the
real dev server, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.assessment import MonthlyAssessmentInput
from minsheng.settings import Settings
from persistence import assessment
from persistence.db import Database
from persistence.models import CallbackRow
from tests.helpers import Stack, eventually
from tests.scenarios.assessment import MONTH, known_rows, load, run_assessment


@pytest.mark.usefixtures("standard_points_line")
async def test_assessment_accountability_notices_analysis_and_rerun_over_http(
    stack: Stack,
    db: Database,
    settings: Settings,
) -> None:
    missing = await stack.call("GET", "/v1/assessments/monthly", "leader", params={"month": MONTH})
    assert missing.status_code == 404 and "2026-10 is not assessed yet" in missing.json()["detail"]
    assert "2026-11-01 at 01:00" in missing.json()["detail"]
    bad = await stack.call("GET", "/v1/assessments/monthly", "leader", params={"month": "2026-13"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "month"]
    assert (await stack.call("GET", "/v1/assessments/monthly", "yatou", params={"month": MONTH})).status_code == 403

    await load(db, known_rows())
    await run_assessment(stack.env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))

    got = await stack.call("GET", "/v1/assessments/monthly", "auditor", params={"month": MONTH})
    assert got.status_code == 200, got.text
    units = {u["unit"]: u for u in got.json()["units"]}
    assert (units["yatou"]["group"], units["yatou"]["score"], units["yatou"]["rank"]) == ("towns_c", "11.88", 3)
    assert units["yatou"]["indicators"]["return_rate"] == 0.25
    assert [r["code"] for r in units["yatou"]["reasons"]] == [
        "standard",
        "within_band",
        "case_volume",
        "supervision_slips",
    ]
    assert (
        units["urban_management_bureau"]["score"] is None
        and units["urban_management_bureau"]["reasons"][0]["code"] == "not_assessed"
    )

    listed = (await stack.call("GET", "/v1/accountability", "leader", params={"month": MONTH})).json()
    assert [(a["unit"], a["kind"], a["step"], a["revision"]) for a in listed["actions"]] == [
        ("chengxi", "town", "public_notice", 1),
        ("yatou", "town", "public_notice", 1),
    ]
    chengxi = listed["actions"][0]
    assert chengxi["score"] == "4.00" and chengxi["evidence"][0]["month"] == MONTH
    assert [(v["revision"], v["status"]) for v in chengxi["versions"]] == [(1, "issued")]
    markdown = await stack.call("GET", chengxi["notice"]["markdown"], "leader")
    assert (
        markdown.headers["content-type"] == "text/markdown; charset=utf-8" and "荣成市社会治理服务中心" in markdown.text
    )
    pdf = await stack.call("GET", chengxi["notice"]["pdf"], "auditor")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert (await stack.call("GET", "/v1/notices/2026-10:nobody:public_notice.pdf", "leader")).status_code == 404

    # A unit that received a notice opens it, and sees its own actions only; not another unit's.
    own = (await stack.call("GET", "/v1/accountability", "yatou", params={"month": MONTH})).json()
    assert [a["unit"] for a in own["actions"]] == ["yatou"]
    yatou_pdf = await stack.call("GET", own["actions"][0]["notice"]["pdf"], "yatou")
    assert yatou_pdf.status_code == 200 and yatou_pdf.content.startswith(b"%PDF-")
    assert (await stack.call("GET", chengxi["notice"]["pdf"], "yatou")).status_code == 404
    assert (await stack.call("GET", "/v1/accountability", "hrss", params={"month": MONTH})).json()["actions"] == []

    overview = await stack.call("GET", "/v1/analysis/overview", "leader", params={"from": "2026-09", "to": MONTH})
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert body["months"] == ["2026-09", MONTH] and body["total_requests"] == [0, 10]
    [labour] = body["domains"]
    assert labour["code"] == "labour" and labour["months"][1]["share"] == 1.0
    assert body["most_dissatisfied"][0]["matter_type"] == "wage_arrears"
    chart = await stack.call(
        "GET", "/v1/analysis/charts/domain-share.svg", "leader", params={"from": "2026-09", "to": MONTH}
    )
    assert chart.headers["content-type"] == "image/svg+xml" and chart.text.startswith("<svg")
    assert (await stack.call("GET", "/v1/analysis/charts/pie.svg", "leader")).status_code == 404
    backwards = await stack.call("GET", "/v1/analysis/overview", "leader", params={"from": MONTH, "to": "2026-09"})
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"] == ["query", "from"]

    # A data correction, then a leader's re-run: recorded, and the change listed.
    def correct(session: Session) -> None:
        session.exec(sa.update(CallbackRow).where(col(CallbackRow.case_id) == "C5").values(answer="satisfied"))

    await db.write(correct)
    path = f"/v1/assessments/monthly/{MONTH}:rerun"
    assert (await stack.call("POST", path, "auditor", json={"reason": "更正"})).status_code == 403
    assert (
        await stack.call("POST", "/v1/assessments/monthly/2026-10x:rerun", "leader", json={"reason": "更正"})
    ).status_code == 422
    never = await stack.call("POST", "/v1/assessments/monthly/2026-08:rerun", "leader", json={"reason": "更正"})
    assert never.status_code == 404 and "2026-08 was never assessed" in never.json()["detail"]
    rerun = await stack.call("POST", path, "leader", json={"reason": "C5回访结果录入错误，已更正"})
    assert rerun.status_code == 202, rerun.text
    assert rerun.json()["workflow_id"] == f"monthly-assessment-rerun-{rerun.json()['rerun_id']}"

    async def recorded() -> bool:
        async with db.session() as session:
            return any(MONTH in r.changes for r in await assessment.reruns_of(session, MONTH))

    await eventually(recorded)
    [log] = (await stack.call("GET", f"/v1/assessments/monthly/{MONTH}/reruns", "auditor")).json()
    assert log["reason"] == "C5回访结果录入错误，已更正"
    assert {c["unit"] for c in log["changes"][MONTH]} == {"chengxi", "yatou"}
    after = (await stack.call("GET", "/v1/assessments/monthly", "leader", params={"month": MONTH})).json()
    assert next(u for u in after["units"] if u["unit"] == "chengxi")["score"] == "12.00"

    # chengxi (12.00 now) is no longer below the line: its notice is withdrawn by a 撤销 notice, and
    # the notice it was sent first is still there as circulated; yatou's is corrected (更正).
    listed = (await stack.call("GET", "/v1/accountability", "leader", params={"month": MONTH})).json()
    [withdrawn] = listed["withdrawn"]
    assert (withdrawn["unit"], withdrawn["revision"]) == ("chengxi", 2)
    assert [(v["revision"], v["status"]) for v in withdrawn["versions"]] == [(1, "issued"), (2, "withdrawn")]
    latest = await stack.call("GET", withdrawn["notice"]["markdown"], "leader")
    assert latest.headers["x-notice-status"] == "withdrawn" and "【撤销】" in latest.text
    original = await stack.call("GET", withdrawn["versions"][0]["markdown"], "leader")
    assert (
        original.headers["x-notice-revision"] == "1"
        and "现予以通报批评" in original.text
        and "撤销" not in original.text
    )
    [yatou] = listed["actions"]
    assert yatou["revision"] == 2 and yatou["versions"][-1]["status"] == "corrected"
    assert "（更正）" in (await stack.call("GET", yatou["notice"]["markdown"], "yatou")).text


async def test_a_rerun_the_workflow_service_refuses_is_503_and_not_recorded(
    stack: Stack,
    db: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await load(db, known_rows())
    await run_assessment(stack.env.client, settings, MonthlyAssessmentInput(month=MONTH, catch_up_months=0))

    async def unavailable(*args: object, **kwargs: object) -> None:
        raise RPCError("connection refused", RPCStatusCode.UNAVAILABLE, b"")

    monkeypatch.setattr(Client, "start_workflow", unavailable)
    refused = await stack.call("POST", f"/v1/assessments/monthly/{MONTH}:rerun", "leader", json={"reason": "更正"})
    assert refused.status_code == 503 and "could not be started" in refused.json()["detail"]
    assert (await stack.call("GET", f"/v1/assessments/monthly/{MONTH}/reruns", "auditor")).json() == []
