"""Inputs at the edges: each answered 4xx at once with the field named, never a hang or a 500."""

from __future__ import annotations

import json

import pytest

from minsheng.settings import Settings
from tests.helpers import Stack, body

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        # Months past year 9999 once compared as text ("10000-01" < "9999-12") and never ended.
        ("/v1/analysis/overview", {"to": "9999-12"}, "to"),
        ("/v1/analysis/charts/domain-share.svg", {"from": "9999-12", "to": "9999-12"}, "to"),
        ("/v1/analysis/overview", {"from": "0000-12", "to": "0001-01"}, "to"),
        ("/v1/analysis/overview", {"from": "2020-01", "to": "2026-11"}, "to"),  # over 36 months
        # Every day of eight thousand years was made before the 92-day limit was checked.
        ("/v1/stats/intake", {"from": "0001-01-02", "to": "9999-12-30", "by": "day"}, "from"),
        ("/v1/stats/intake", {"from": "2020-01-01", "to": "2026-11-30", "by": "month"}, "to"),
        ("/v1/stats/handling", {"to": "0001-01-01T00:00:00Z"}, "to"),
        ("/v1/whistles", {"to": "0001-01-01T00:00:00Z"}, "to"),
        ("/v1/slips", {"from": "9999-12-31T23:00:00-14:00"}, "from"),
        ("/v1/cases", {"offset": str(2**63)}, "offset"),
    ],
)
async def test_a_period_or_size_out_of_bounds_is_refused_at_once(
    stack: Stack, path: str, params: dict[str, str], field: str
) -> None:
    response = await stack.call("GET", path, "leader", params=params)
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["detail"]]
    assert (await stack.call("GET", "/healthz", "leader")).status_code == 200


async def test_numbers_past_the_database_are_refused(stack: Stack) -> None:
    # The id and revision columns are INTEGER: 2**31 is the first number PostgreSQL cannot compare.
    answer = await stack.call(
        "POST", f"/v1/callbacks/{2**31}", "agent", json={"answer": "satisfied", "resolution": "solved"}
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["path", "callback_id"]
    notice = await stack.call("GET", "/v1/notices/any.md", "leader", params={"revision": str(2**31)})
    assert notice.status_code == 422 and notice.json()["detail"][0]["loc"] == ["query", "revision"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ('"location": {"lat": NaN, "lon": 122.4}', "lat"),
        ('"location": {"lat": 37.1, "lon": Infinity}', "lon"),
        ('"content": "\\ud800 拖欠工资"', "content"),
        ('"citizen": {"name": "\\udfff", "phone": "13700000000"}', "name"),
        ('"reported_at": "0001-01-01T00:00:00+14:00"', "reported_at"),
    ],
)
async def test_intake_refuses_what_json_or_a_database_cannot_hold(stack: Stack, raw: str, field: str) -> None:
    key = raw.split('"')[1]
    payload = json.dumps({k: v for k, v in body(channel_ref=f"EDGE-{field}").items() if k != key})
    sent = payload[:-1] + ", " + raw + "}"
    headers = {**stack.keys["intake"], "content-type": "application/json"}
    response = await stack.http.post("/v1/requests", content=sent.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["detail"]]


async def test_every_key_reads_the_codes_a_request_may_name(stack: Stack, settings: Settings) -> None:
    for role in ("intake", "dispatcher", "yatou", "auditor"):
        reference = await stack.call("GET", "/v1/reference", role)
        assert reference.status_code == 200
    listed = reference.json()
    reference_data = settings.reference
    assert [c["code"] for c in listed["channels"]] == list(reference_data.channels)
    assert [u["code"] for u in listed["units"]] == list(reference_data.units)
    wage = next(m for d in listed["domains"] for m in d["matter_types"] if m["code"] == "wage_arrears")
    assert (wage["responsible"], wage["tier"]) == ("hrss_bureau", "yellow")
    assert (await stack.http.get("/v1/reference")).status_code == 401


@pytest.fixture
def small_files(settings: Settings) -> None:
    """Files of 10 KB at most, one per reply: the largest body a call may send is then 1 MiB and
    ten pages (set before the app is built)."""
    policy = settings.attachment_policy
    kinds = {kind: limits.model_copy(update={"max_mib": 0.01}) for kind, limits in policy.kinds.items()}
    settings.__dict__["attachment_policy"] = policy.model_copy(update={"kinds": kinds, "per_action": 1})


@pytest.mark.usefixtures("small_files")
@pytest.mark.parametrize("path", ["/v1/requests", "/console/login"])
async def test_a_body_sent_in_chunks_past_the_largest_a_call_may_send_is_cut_off(stack: Stack, path: str) -> None:
    async def chunks():  # type: ignore[no-untyped-def]  # no content-length: a chunked body
        for _ in range(3):
            yield b"x" * (1024 * 1024)

    response = await stack.http.post(path, content=chunks(), headers=stack.keys["intake"])
    assert response.status_code == 413
    assert (await stack.call("GET", "/healthz", "leader")).status_code == 200
