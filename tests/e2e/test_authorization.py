"""Who may call what: every operation of the OpenAPI document, called with every role's key, is let
through or refused exactly as the table below (docs/api.md, "Endpoints") says. An operation the
table does not list fails the test: whoever adds an endpoint says who may call it.

FastAPI runs the key's dependencies before it validates the body, so a refused role gets its 403
whatever it sends; the bodies below are valid anyway, so that a unit key's call on a case gets as
far as the unit check (which needs the case) and the other unit's 403 is that check's answer."""

from __future__ import annotations

import pytest

from api.app import create_app
from minsheng.settings import Settings
from tests.helpers import ROOT, Stack, body

pytestmark = pytest.mark.timeout(90)

ANY_KEY = {"intake", "dispatcher", "unit", "callback_agent", "auditor", "leader"}
READERS = {"dispatcher", "unit", "callback_agent", "auditor", "leader"}
OVERSEERS = {"dispatcher", "auditor", "leader"}
LEADERSHIP = {"auditor", "leader"}

# operation → the roles it lets through. "unit" on a case's path means the case's own unit only:
# another unit's key is refused with 403.
WHO_MAY: dict[str, set[str]] = {
    "GET /healthz": ANY_KEY,  # and no key at all
    "GET /v1/reference": ANY_KEY,
    "POST /v1/requests": {"intake"},
    "POST /v1/requests:batch": {"intake"},
    "GET /v1/cases": READERS,
    "GET /v1/cases/{case_id}": READERS,
    "GET /v1/dispatch-queue": OVERSEERS,
    "POST /v1/cases/{case_id}/dispatch": {"dispatcher"},
    "POST /v1/cases/{case_id}/accept": {"unit"},
    "POST /v1/cases/{case_id}/return": {"unit"},
    "POST /v1/cases/{case_id}/reply": {"unit"},
    "POST /v1/cases/{case_id}/tier": {"dispatcher"},
    "POST /v1/cases/{case_id}/extension": {"unit"},
    "POST /v1/cases/{case_id}/extension/decision": {"dispatcher"},
    "POST /v1/cases/{case_id}/return/decision": {"dispatcher"},
    "POST /v1/cases/{case_id}/whistle": {"unit"},
    "POST /v1/cases/{case_id}/respond": {"unit"},
    "POST /v1/cases/{case_id}/decline-ruling": {"dispatcher"},
    "POST /v1/cases/{case_id}/rate": {"unit"},
    "POST /v1/cases/{case_id}/split": {"dispatcher"},
    "POST /v1/cases/{case_id}/merge": {"dispatcher"},
    "GET /v1/whistles": READERS,
    "GET /v1/callbacks": {"callback_agent"},
    "POST /v1/callbacks/{callback_id}": {"callback_agent"},
    "GET /v1/slips": READERS,
    "GET /v1/stats/handling": READERS,
    "GET /v1/merge-corrections": OVERSEERS,
    "GET /v1/stats/intake": OVERSEERS,
    "GET /v1/rankings/daily": READERS,
    "GET /v1/units/{code}/indicators": READERS,
    "GET /v1/assessments/monthly": LEADERSHIP,
    "POST /v1/assessments/monthly/{month}:rerun": {"leader"},
    "GET /v1/assessments/monthly/{month}/reruns": LEADERSHIP,
    "GET /v1/accountability": LEADERSHIP | {"unit"},
    "GET /v1/notices/{name}": LEADERSHIP | {"unit"},
    "GET /v1/accountability/follow-ups": LEADERSHIP | {"unit"},
    "GET /v1/accountability/follow-ups/{key}": LEADERSHIP | {"unit"},
    "POST /v1/accountability/follow-ups/{key}:hold": {"leader"},
    "POST /v1/accountability/follow-ups/{key}:rectify": {"leader"},
    "GET /v1/analysis/overview": LEADERSHIP,
    "GET /v1/analysis/charts/{name}.svg": LEADERSHIP,
    "POST /v1/cases/{case_id}/typical-inaction": {"leader"},
    "GET /v1/typical-inaction": LEADERSHIP,
    "GET /v1/cases/{case_id}/deliveries": LEADERSHIP,
    "POST /v1/cases/{case_id}/answer": {"intake", "dispatcher"},
    "POST /v1/knowledge": {"dispatcher"},
    "GET /v1/knowledge": ANY_KEY,
    "GET /v1/knowledge/{entry_id}": ANY_KEY,
    "PUT /v1/knowledge/{entry_id}": {"dispatcher"},
    "DELETE /v1/knowledge/{entry_id}": {"dispatcher"},
    "GET /v1/knowledge/{entry_id}/versions": ANY_KEY,
    "GET /v1/stats/rates": READERS,
    "GET /v1/stats/targets": READERS,
    "GET /v1/stats/kinds": READERS,
    "POST /v1/event-subscriptions": {"dispatcher", "unit"},
    "GET /v1/event-subscriptions": {"dispatcher", "unit"},
    "GET /v1/event-subscriptions/{subscription_id}": {"dispatcher", "unit"},
    "DELETE /v1/event-subscriptions/{subscription_id}": {"dispatcher", "unit"},
    "POST /v1/event-subscriptions/{subscription_id}/replay": {"dispatcher", "unit"},
    "GET /v1/event-subscriptions/{subscription_id}/deliveries": {"dispatcher", "unit"},
    "GET /v1/events": READERS,
    "GET /v1/events/stream": READERS,
    "POST /v1/lookup": ANY_KEY,  # and no key at all
    "GET /v1/cases/{case_id}/archive": {"auditor"},
    "GET /v1/cases/{case_id}/case-file": LEADERSHIP,
    "GET /v1/cases/{case_id}/reads": {"auditor"},
    "POST /codec/encode": OVERSEERS,
    "POST /codec/decode": OVERSEERS,
    "GET /v1/cases/{case_id}/archive/{run_id}": {"auditor"},
    "POST /v1/texts/opt-outs": {"intake"},
    "POST /v1/attachments": {"intake"},
    "POST /v1/cases/{case_id}/attachments": {"unit"},  # its own or a summoned unit
    "GET /v1/cases/{case_id}/attachments": READERS,
    "GET /v1/cases/{case_id}/attachments/{attachment_id}": READERS,
    "GET /v1/cases/{case_id}/attachments/{attachment_id}/thumbnail": READERS,
    # Open311 GeoReport v2: reads need no key; a post needs the client's api_key in the form, so a
    # bearer key alone, of any role, is refused (403 in the spec's shape).
    "GET /open311/v2/discovery.{fmt}": ANY_KEY,
    "GET /open311/v2/services.{fmt}": ANY_KEY,
    "GET /open311/v2/services/{service_code}.{fmt}": ANY_KEY,
    "POST /open311/v2/requests.{fmt}": set(),
    "GET /open311/v2/requests.{fmt}": ANY_KEY,
    "GET /open311/v2/requests/{service_request_id}.{fmt}": ANY_KEY,
    "GET /open311/v2/tokens/{token}.{fmt}": ANY_KEY,
}

KEYS = {"intake": "intake", "dispatcher": "dispatcher", "callback_agent": "agent", "auditor": "auditor"}
KEYS |= {"leader": "leader", "unit": "hrss"}
"""Each role's key in the stack; the unit key is hrss_bureau's, the case's own unit."""
OTHER_UNIT = "yatou"

SOON = "2027-06-30T10:00:00+08:00"
BODIES: dict[str, object] = {
    "POST /v1/accountability/follow-ups/{key}:hold": {
        "held_by": "副市长",
        "held_at": "2026-11-02T10:00:00+08:00",
        "notes": "约谈",
        "promises": ["整改"],
    },
    "POST /v1/accountability/follow-ups/{key}:rectify": {"notes": "已整改"},
    "POST /v1/requests": body(),
    "POST /v1/requests:batch": {"requests": [body(channel_ref="AUTH-BATCH")]},
    "POST /v1/cases/{case_id}/dispatch": {"unit": "hrss_bureau", "matter_type": "wage_arrears"},
    "POST /v1/cases/{case_id}/accept": {},
    "POST /v1/cases/{case_id}/return": {"reason": "不属本单位职责"},
    "POST /v1/cases/{case_id}/reply": {"result": "已办结"},
    "POST /v1/cases/{case_id}/tier": {"tier": "red", "reason": "涉及群体"},
    "POST /v1/cases/{case_id}/extension": {"until": SOON, "reason": "需现场核查"},
    "POST /v1/cases/{case_id}/extension/decision": {"approve": True},
    "POST /v1/cases/{case_id}/return/decision": {"approve": True},
    # Not the other unit: a summoned unit may read the case, and it must stay a stranger to it.
    "POST /v1/cases/{case_id}/whistle": {
        "summonses": [{"unit": "market_regulation_bureau", "task": "核查", "reason": "涉及市场监管"}]
    },
    "POST /v1/cases/{case_id}/respond": {"summons_id": "s1", "report": "已到场"},
    "POST /v1/cases/{case_id}/decline-ruling": {"summons_id": "s1", "uphold": True},
    "POST /v1/cases/{case_id}/rate": {"summons_id": "s1", "speed": 5, "quality": 5},
    "POST /v1/cases/{case_id}/split": {"request_id": "no-such-request", "reason": "不是同一件事"},
    "POST /v1/cases/{case_id}/merge": {"into": "no-such-case", "reason": "同一件事"},
    "POST /v1/callbacks/{callback_id}": {"answer": "satisfied", "resolution": "solved"},
    "POST /v1/assessments/monthly/{month}:rerun": {"reason": "数据更正"},
    "POST /v1/cases/{case_id}/typical-inaction": {"reason": "超期不办"},
    "POST /v1/cases/{case_id}/answer": {"answer": "已电话答复"},
    "POST /v1/knowledge": {
        "title": "社保",
        "text": "到社保窗口办理",
        "source": "人社局公告",
        "valid_from": "2026-01-01",
    },
    "PUT /v1/knowledge/{entry_id}": {
        "title": "社保",
        "text": "网上办理",
        "source": "人社局公告",
        "valid_from": "2026-01-01",
    },
    "POST /v1/event-subscriptions": {"url": "http://127.0.0.1:9/hook"},
    "POST /v1/event-subscriptions/{subscription_id}/replay": {"from_position": 1},
    "POST /v1/lookup": {"request_id": "R-none", "phone_last4": "0000"},
    "POST /codec/encode": {"payloads": []},
    "POST /codec/decode": {"payloads": []},
    "POST /v1/texts/opt-outs": {"phone": "13900000009"},
}


def _operations() -> list[str]:
    document = create_app(Settings(config_dir=ROOT / "config")).openapi()
    return [f"{method.upper()} {path}" for path, methods in document["paths"].items() for method in methods]


def _url(path: str, case_id: str) -> str:
    return path.format(
        case_id=case_id,
        callback_id=1,
        code="yatou",
        month="2026-10",
        name="2026-10:yatou:x.md",
        key="2026-10:yatou:interview",
        entry_id=1,
        subscription_id="sub_none",
        run_id="no-such-run",
        fmt="json",
        service_code="wage_arrears",
        service_request_id="R-none",
        token="none",
        attachment_id="A-none",
    )


def test_every_operation_says_who_may_call_it() -> None:
    unlisted = set(_operations()) - WHO_MAY.keys()
    assert not unlisted, f"add these to WHO_MAY, with the roles that may call them: {sorted(unlisted)}"
    gone = WHO_MAY.keys() - set(_operations())
    assert not gone, f"WHO_MAY lists operations the API no longer has: {sorted(gone)}"


async def test_each_role_is_let_through_or_refused_as_the_table_says(stack: Stack) -> None:
    case_id = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="AUTH-1"))).json()["case_id"]
    await stack.case_when(case_id, "dispatched")  # to hrss_bureau
    wrong: list[str] = []
    for operation in _operations():
        method, path = operation.split(" ")
        url, json = _url(path, case_id), BODIES.get(operation)
        calls = [(role, KEYS[role], role in WHO_MAY[operation]) for role in sorted(ANY_KEY)]
        if "unit" in WHO_MAY[operation] and "{case_id}" in path:
            # First, so that nothing the own unit does lets the other one in.
            calls.insert(0, ("another unit", OTHER_UNIT, False))
        for role, key, may in calls:
            status = (await stack.call(method, url, key, json=json)).status_code
            if status in (401, 403) if may else status != 403:
                wrong.append(f"{operation} as {role}: {status}, expected {'not 401/403' if may else 403}")
    assert not wrong, "\n".join(wrong)
    assert (await stack.http.get("/v1/cases")).status_code == 401  # and no key is no reader
