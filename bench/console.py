"""The console's busiest pages at scale: the dispatcher's queue, a unit's inbox and the leaders'
page, over HTTP against the API process (``minsheng api``, as ``make run`` runs it), with
``--cases`` cases in the database (inserted straight into the tables: a city's year or two).

Of the cases, 70% are closed, 5% wait in the dispatch queue, 10% are dispatched, 10% accepted and
5% replied, spread over the city's units; each has its first request and its ``received`` event.
Each page is asked ``--requests`` times by a signed-in person; p50 and p95 are printed.

    python -m bench.console [--cases 100000] [--requests 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from bench.common import app_setup, dev_server, percentile, spawn, write_result
from domain.reference import load_reference
from minsheng.logs import configure_logging
from persistence.db import Database
from services import accounts

ROOT = Path(__file__).parent.parent
PASSWORD = "bench password 1"
STATUSES = (("closed", 70), ("received", 5), ("dispatched", 10), ("accepted", 10), ("replied", 5))
CONTENT = ("公司拖欠工资三个月不发", "楼道里煤气味很重", "小区门口路灯坏了", "噪音扰民严重", "道路坑洼积水")


async def fill(db: Database, cases: int, units: list[str]) -> tuple[float, str]:
    """The cases, their first requests and events; the seconds it took, and the unit with most open cases."""
    started, rng, now = time.perf_counter(), random.Random(7), datetime.now(UTC)
    statuses = [s for s, share in STATUSES for _ in range(share)]
    busiest: Counter[str] = Counter()
    batch = 5_000
    for first in range(0, cases, batch):
        case_rows, request_rows, event_rows = [], [], []
        for n in range(first, min(first + batch, cases)):
            status = statuses[n % len(statuses)]
            received = now - timedelta(minutes=rng.randint(0, 60 * 24 * 400))
            unit = None if status == "received" else rng.choice(units)
            if status in ("dispatched", "accepted") and unit:
                busiest[unit] += 1
            due = now + timedelta(hours=rng.randint(-48, 240))
            case_id = f"C{n:09d}"
            case_rows.append(
                {
                    "id": case_id,
                    "status": status,
                    "channel": "hotline_12345",
                    "unit_code": unit,
                    "tier": "yellow",
                    "received_at": received,
                    "updated_at": received,
                    "deadline_at": due if unit else None,
                    "citizen_due_at": due,
                    "dispatch_by": due if status == "received" else None,
                    "closed_at": received + timedelta(days=3) if status == "closed" else None,
                    "deadline_provisional": False,
                    "overdue": status in ("dispatched", "accepted") and due < now,
                    "first_contact": False,
                    "callback_round": 1,
                    "reopened": 0,
                    "seq": 1,
                }
            )
            request_rows.append(
                {
                    "id": f"R{n:09d}",
                    "case_id": case_id,
                    "channel": "hotline_12345",
                    "channel_ref": f"B-{n}",
                    "citizen_name": "张三",
                    "citizen_phone": "13800000000",
                    "content": CONTENT[n % len(CONTENT)],
                    "address": f"崖头街道成山大道{n % 500}号",
                    "received_at": received,
                    "intake_key_id": "k_bench",
                }
            )
            event_rows.append(
                {
                    "case_id": case_id,
                    "seq": 1,
                    "at": received,
                    "kind": "received",
                    "status": "received",
                    "actor_role": "intake",
                    "detail": {},
                }
            )
        async with db.engine.begin() as conn:
            for table, rows in (("cases", case_rows), ("requests", request_rows), ("case_events", event_rows)):
                columns = [sa.column(k, sa.JSON() if k == "detail" else None) for k in rows[0]]
                await conn.execute(sa.table(table, *columns).insert(), rows)
    return time.perf_counter() - started, busiest.most_common(1)[0][0]


async def signed_in(base: str, login: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base, timeout=30)
    page = await http.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text[:300]
    answer = await http.post("/console/login", data={"csrf": csrf[1], "login": login, "password": PASSWORD})
    assert answer.status_code == 303 and "failed" not in answer.headers["location"], answer.headers
    return http


async def timed(http: httpx.AsyncClient, path: str, count: int) -> dict[str, float]:
    assert (await http.get(path)).status_code == 200  # warm
    times = []
    for _ in range(count):
        started = time.perf_counter()
        answer = await http.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, answer.text[:300]
    return {"p50_ms": round(percentile(times, 0.5), 1), "p95_ms": round(percentile(times, 0.95), 1)}


async def bench(cases: int, requests: int, database_url: str | None) -> dict[str, Any]:
    reference = load_reference(ROOT / "config")
    async with dev_server() as server:
        app = await app_setup(server, database_url, extra={"MINSHENG_CONFIG_DIR": str(ROOT / "config")})
        filled, unit = await fill(app.db, cases, sorted(reference.units))
        print(f"  {cases:,} cases inserted in {filled:.1f} s; the busiest unit: {unit}")
        for login, role, of in (
            ("dispatcher", "dispatcher", None),
            ("staff", "unit", unit),
            ("leader", "leader", None),
        ):
            await accounts.add_user(app.db, reference, login, login, role, of, PASSWORD)
        api = spawn(["-m", "minsheng", "api"], app.env)
        try:
            for _ in range(300):
                try:
                    if (await httpx.AsyncClient().get(f"{app.api}/healthz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            figures = {}
            for login, path in (
                ("dispatcher", "/console/queue"),
                ("staff", "/console/inbox"),
                ("leader", "/console/overview"),
            ):
                http = await signed_in(app.api, login)
                figures[path] = await timed(http, path, requests)
                await http.aclose()
                print(f"  {path}: p50 {figures[path]['p50_ms']} ms, p95 {figures[path]['p95_ms']} ms")
        finally:
            api.terminate()
            api.wait()
            await app.db.close()
    return {"database": app.settings.database_url.split(":")[0], "cases": cases, "requests": requests, "pages": figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", help="default: a SQLite file beside the dev server's")
    args = parser.parse_args()
    configure_logging("auto", "WARNING")
    figures = asyncio.run(bench(args.cases, args.requests, args.database_url))
    name = "console" + ("-postgresql" if figures["database"].startswith("postgresql") else "")
    print(f"  written to {write_result(name, figures)}")


if __name__ == "__main__":
    main()
