"""Intake throughput and latency against the bare engine, side by side on one Temporal dev server.

Minsheng runs as ``make run`` runs it (API and worker processes, SQLite app database); the bare
engine is a one-activity workflow started with the plain client, its worker also a process of its
own. For each concurrency level both get the same count. Figures: requests/s and latency of
``POST /v1/requests``, cases reaching ``dispatched`` per second, bare starts/s and completions/s,
and the ratios Minsheng ÷ bare.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlmodel import col, func, select

from bench.bare import TASK_QUEUE, BareWorkflow
from bench.common import (
    DevServer,
    app_setup,
    cpu_seconds,
    dev_server,
    percentile,
    rss_mib,
    spawn,
    write_result,
)
from domain.reference import TOWN_OF_LOCATION, ReferenceData
from persistence.db import Database
from persistence.models import CaseRow


def request_bodies(
    reference: ReferenceData, count: int, duplicate_share: float, seed: int = 7, repeat_share: float = 0.0
) -> list[dict[str, Any]]:
    """Realistic submissions: a matter's keywords in a citizen's sentence, a town's place, a channel;
    a share re-sent by their channel, and a share reporting an earlier one's matter again (一事多投:
    another citizen, another channel, the same place), which intake merges."""
    rng = random.Random(seed)
    matters = list(reference.matter_types.values())
    towns = list(reference.towns)
    channels = list(reference.channels)
    bodies: list[dict[str, Any]] = []
    for i in range(count):
        if bodies and rng.random() < duplicate_share:
            bodies.append(rng.choice(bodies))  # the channel retries: same channel_ref
            continue
        if bodies and rng.random() < repeat_share:
            bodies.append(
                rng.choice(bodies)
                | {
                    "channel": rng.choice(channels),
                    "channel_ref": f"bench-{seed}-{i}",
                    "citizen": {"name": "市民", "phone": f"13{rng.randrange(10**9):09d}"},
                }
            )
            continue
        matter = rng.choice(matters)
        town = rng.choice(towns)
        place = rng.choice(town.address_keywords)
        words = "，".join(rng.sample(matter.keywords, k=min(2, len(matter.keywords))))
        bodies.append(
            {
                "channel": rng.choice(channels),
                "channel_ref": f"bench-{seed}-{i}",
                "citizen": {"name": "市民", "phone": f"13{rng.randrange(10**9):09d}"},
                "content": f"我是{place}的居民，反映一下：{words}，已经好几天了，希望尽快处理。",
                "address": f"{place}{rng.randrange(1, 200)}号",
                **(
                    {"grid": f"{town.grid_prefix}-{rng.randrange(1, 30):02d}-{rng.randrange(1, 50):02d}"}
                    if matter.responsible == TOWN_OF_LOCATION
                    else {}
                ),
            }
        )
    return bodies


async def bare_round(server: DevServer, count: int, concurrency: int, tag: str) -> dict[str, float]:
    client = await server.client()
    semaphore = asyncio.Semaphore(concurrency)
    handles = []

    async def start(i: int) -> None:
        async with semaphore:
            handles.append(
                await client.start_workflow(BareWorkflow.run, str(i), id=f"bare-{tag}-{i}", task_queue=TASK_QUEUE)
            )

    began = time.perf_counter()
    await asyncio.gather(*(start(i) for i in range(count)))
    started = time.perf_counter() - began
    for handle in handles:
        await handle.result()
    completed = time.perf_counter() - began
    return {"starts_per_s": count / started, "completed_per_s": count / completed}


async def minsheng_round(
    api: str, key: str, db: Database, bodies: list[dict[str, Any]], concurrency: int
) -> dict[str, float]:
    semaphore = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    merged = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=api, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=60
    ) as http:

        async def post(body: dict[str, Any]) -> None:
            nonlocal merged
            async with semaphore:
                t = time.perf_counter()
                response = await http.post("/v1/requests", json=body)
                latencies.append(time.perf_counter() - t)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                merged += response.status_code == 201 and response.json()["status"] == "merged"

        began_wall = datetime.now(UTC)
        began = time.perf_counter()
        await asyncio.gather(*(post(b) for b in bodies))
        took = time.perf_counter() - began
    assert set(statuses) <= {200, 201}, f"unexpected answers: {statuses}"
    created = statuses.get(201, 0) - merged  # a merged request joins a case: no new case to dispatch
    last = await _all_dispatched(db, began_wall, created)
    return {
        "requests_per_s": len(bodies) / took,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "created": created,
        "merged": merged,
        "duplicates": statuses.get(200, 0),
        "dispatched_per_s": created / (last - began_wall).total_seconds(),
    }


async def _all_dispatched(db: Database, since: datetime, expected: int, seconds: float = 300) -> datetime:
    """When the last of this round's cases was dispatched (its row's update time)."""
    deadline = time.monotonic() + seconds
    query = select(func.count(), func.max(CaseRow.updated_at)).where(
        col(CaseRow.received_at) >= since, col(CaseRow.seq) >= 3
    )
    while True:
        async with db.session() as session:
            done, last = (await session.exec(query)).one()
        if done >= expected:
            return last
        assert time.monotonic() < deadline, f"only {done} of {expected} cases dispatched"
        await asyncio.sleep(0.1)


async def run(
    levels: list[int], count: int, duplicate_share: float, repeat_share: float, database_url: str | None
) -> dict[str, Any]:
    rounds = []
    async with dev_server() as server:
        app = await app_setup(server, database_url)
        env, settings, db, key, api = app.env, app.settings, app.db, app.intake_key, app.api
        processes = {
            "bare_worker": spawn(["-m", "bench.bare"], env),
            "worker": spawn(["-m", "minsheng", "worker"], env),
            "api": spawn(["-m", "minsheng", "api"], env),
        }
        try:
            await wait_until_up(api)
            await asyncio.sleep(1.0)
            pids = {"server": server.process.pid} | {n: p.pid for n, p in processes.items()}

            def cpu() -> dict[str, float]:
                return {name: cpu_seconds(pid) for name, pid in pids.items()} | {
                    "bench": cpu_seconds(os.getpid(), children=False)
                }

            for level, concurrency in enumerate(levels):
                bodies = request_bodies(settings.reference, count, duplicate_share, level, repeat_share)
                before = cpu()
                bare = await bare_round(server, count, concurrency, tag=str(level))
                between = cpu()
                ours = await minsheng_round(api, key, db, bodies, concurrency)
                after = cpu()
                # CPU per request or workflow, by process: what each side costs the machine, which
                # the rates only show through the other processes sharing its cores.
                bare["cpu_ms_each"] = _cpu_ms_each(before, between, count, ("server", "bare_worker", "bench"))
                ours["cpu_ms_each"] = _cpu_ms_each(between, after, count, ("server", "api", "worker", "bench"))
                row = {
                    "concurrency": concurrency,
                    "count": count,
                    "bare": bare,
                    "minsheng": ours,
                    "ratio_starts": ours["requests_per_s"] / bare["starts_per_s"],
                    "ratio_completions": ours["dispatched_per_s"] / bare["completed_per_s"],
                }
                rounds.append(row)
                _print_row(row)
            memory = {name: rss_mib(p.pid) for name, p in processes.items()}
            memory["temporal_server"] = rss_mib(server.process.pid)
        finally:
            for process in processes.values():
                process.terminate()
                process.wait()
            await db.close()
    return {
        "database": db.engine.dialect.name,
        "rounds": rounds,
        "memory_mib": memory,
        "duplicate_share": duplicate_share,
        "repeat_share": repeat_share,
    }


def _cpu_ms_each(
    before: dict[str, float], after: dict[str, float], count: int, names: tuple[str, ...]
) -> dict[str, float]:
    return {name: round((after[name] - before[name]) * 1000 / count, 2) for name in names}


async def wait_until_up(api: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"{api}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the API did not come up")


HEADER = (
    f"{'conc':>4} {'count':>5} | {'bare start/s':>12} {'bare done/s':>11} | {'req/s':>7} {'p50 ms':>7} "
    f"{'p95 ms':>7} {'p99 ms':>7} {'dispatched/s':>12} | {'÷ starts':>8} {'÷ done':>7}"
)


def _print_row(row: dict[str, Any]) -> None:
    b, m = row["bare"], row["minsheng"]
    print(
        f"{row['concurrency']:>4} {row['count']:>5} | {b['starts_per_s']:>12.1f} {b['completed_per_s']:>11.1f} | "
        f"{m['requests_per_s']:>7.1f} {m['p50_ms']:>7.1f} {m['p95_ms']:>7.1f} {m['p99_ms']:>7.1f} "
        f"{m['dispatched_per_s']:>12.1f} | {row['ratio_starts']:>8.2f} {row['ratio_completions']:>7.2f}",
        flush=True,
    )
    print(f"{'':>12}CPU ms each: bare {b['cpu_ms_each']}, Minsheng {m['cpu_ms_each']}", flush=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.intake", description=__doc__)
    parser.add_argument("--levels", default="4,16,64", help="concurrency levels, comma-separated")
    parser.add_argument("--count", type=int, default=800, help="requests (and bare workflows) per level")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of requests re-sent by the channel")
    parser.add_argument("--repeats", type=float, default=0.2, help="share reporting an earlier one's matter again")
    parser.add_argument("--database-url", help="an empty database for Minsheng's app data (default: a new SQLite file)")
    args = parser.parse_args(argv)
    print(
        f"intake: Minsheng (API + worker processes, {'SQLite' if not args.database_url else args.database_url}) "
        "vs the bare engine, on one Temporal dev server (SQLite, WAL)"
    )
    print(HEADER, flush=True)
    levels = [int(x) for x in args.levels.split(",")]
    figures = asyncio.run(run(levels, args.count, args.duplicates, args.repeats, args.database_url))
    print(f"memory (MiB RSS at the end): {figures['memory_mib']}")
    name = "intake" if figures["database"] == "sqlite" else f"intake-{figures['database']}"
    print(f"written to {write_result(name, figures)}")
    return figures


if __name__ == "__main__":
    main()
