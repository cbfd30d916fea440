"""The ranking over HTTP on the real dev server, SQLite and PostgreSQL: a day's ranking by kind,
a unit's indicators over time, and the errors a caller can act on."""

from __future__ import annotations

from domain.indicators import RankingInput
from minsheng.settings import Settings
from persistence.db import Database
from tests.helpers import Stack
from tests.scenarios.ranking import DAY, known_rows, load, run_ranking


async def test_daily_ranking_and_unit_trend_over_http(stack: Stack, db: Database, settings: Settings) -> None:
    day = DAY.isoformat()
    missing = await stack.call("GET", "/v1/rankings/daily", "leader", params={"date": day})
    assert missing.status_code == 404 and "no ranking for 2026-11-20 yet" in missing.json()["detail"]

    await load(db, known_rows())
    await run_ranking(stack.env.client, settings, RankingInput(day=DAY, catch_up_days=0))

    ranked = await stack.call("GET", "/v1/rankings/daily", "leader", params={"date": day})
    assert ranked.status_code == 200, ranked.text
    body = ranked.json()
    assert {k: v for k, v in body["weights"].items() if v} == {"satisfaction": 0.7, "closure": 0.2, "return": 0.1}
    assert [(i["unit"], i["rank"]) for i in body["items"][:3]] == [("hrss_bureau", 1), ("yatou", 2), ("chengxi", 3)]
    assert body["items"][1]["counts"]["returned"] == 1 and body["items"][-1]["rank"] is None

    towns = (await stack.call("GET", "/v1/rankings/daily", "yatou", params={"date": day, "kind": "town"})).json()
    assert [(i["unit"], i["rank"]) for i in towns["items"][:2]] == [("yatou", 1), ("chengxi", 2)]
    assert {i["kind"] for i in towns["items"]} == {"town"}
    month = (await stack.call("GET", "/v1/rankings/daily", "auditor", params={"date": day, "period": "month"})).json()
    assert next(i for i in month["items"] if i["unit"] == "chengxi")["satisfaction_rate"] == 0.5

    trend = await stack.call("GET", "/v1/units/yatou/indicators", "auditor", params={"from": "2026-11-18", "to": day})
    assert trend.status_code == 200
    assert [(i["day"], i["rank_all"], i["return_rate"]) for i in trend.json()["items"]] == [(day, 2, 0.25)]

    bad_kind = await stack.call("GET", "/v1/rankings/daily", "leader", params={"date": day, "kind": "village"})
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["loc"] == ["query", "kind"]
    unknown = await stack.call("GET", "/v1/units/atlantis/indicators", "leader", params={"from": day, "to": day})
    assert unknown.status_code == 404 and "atlantis" in unknown.json()["detail"]
    backwards = await stack.call(
        "GET", "/v1/units/yatou/indicators", "leader", params={"from": day, "to": "2026-11-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["detail"][0]["loc"] == ["query", "from"]
    assert (await stack.http.get("/v1/rankings/daily")).status_code == 401
