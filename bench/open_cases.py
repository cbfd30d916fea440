"""Open cases at scale: many cases open at once with live deadline timers, and a wave of deadlines
falling due together.

Cases are created through the API (as `make run` runs it: API and worker processes, SQLite), with
the shipped tier policy except red, whose limits are cut to minutes. The base of open cases are
non-red matters, each request at a place of its own so that ``--count`` requests are as many open
cases: their deadlines lie days ahead on the working-day calendar, each a live timer. Then a burst
of red requests (a gas main, a storm) makes the wave: their deadlines fall due within the burst's
window, after it is dispatched. Figures: time to create the cases, worker and server memory, database sizes,
the lag from each wave deadline to its supervision slip and the slips per second, that each wave
case has exactly one deadline slip, and the history length of a case.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from sqlmodel import col, func, select

from bench.common import cpu_seconds, dev_server, free_port, percentile, rss_mib, spawn, write_result
from bench.intake import request_bodies, wait_until_up
from domain.case import Role
from domain.classification import classify
from domain.reference import ReferenceData, Tier
from minsheng.settings import Settings
from minsheng.setup import migrate
from minsheng.temporal import case_workflow_id
from persistence import keys
from persistence.db import Database
from persistence.models import CaseEventRow, CaseRow, SlipRow


async def _post_all(
    http: httpx.AsyncClient,
    calls: list[tuple[str, dict[str, Any], dict[str, str]]],
    concurrency: int,
    latencies: list[float] | None = None,
) -> dict[int, int]:
    semaphore = asyncio.Semaphore(concurrency)
    statuses: dict[int, int] = {}
    done = 0

    async def one(path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        nonlocal done
        async with semaphore:
            t = time.perf_counter()
            status = (await http.post(path, json=body, headers=headers)).status_code
            if latencies is not None:
                latencies.append(time.perf_counter() - t)
        statuses[status] = statuses.get(status, 0) + 1
        done += 1
        if done % 2000 == 0:
            print(f"  … {done}/{len(calls)}", flush=True)

    await asyncio.gather(*(one(*c) for c in calls))
    return statuses


def red_bodies(reference: ReferenceData, count: int) -> list[dict[str, Any]]:
    """``count`` red requests, each at a place of its own: the wave is ``count`` cases."""
    red = _red_matters(reference)
    bodies = [b for b in request_bodies(reference, count * 20, 0.0, seed=13) if _matter(reference, b) in red]
    return _each_at_its_own_door(bodies[:count], "wave")


def base_bodies(reference: ReferenceData, count: int, area_wide: tuple[str, ...]) -> list[dict[str, Any]]:
    """``count`` requests of non-red matters, each at a place of its own: ``count`` open cases.
    Area-wide matters (a water cut) are left out: they merge across a town whatever the door."""
    left_out = _red_matters(reference) | set(area_wide)
    bodies = [b for b in request_bodies(reference, count * 2, 0.0, seed=11) if _matter(reference, b) not in left_out]
    return _each_at_its_own_door(bodies[:count], "base")


def _red_matters(reference: ReferenceData) -> set[str]:
    return {code for code, m in reference.matter_types.items() if m.tier is Tier.red}


def _each_at_its_own_door(bodies: list[dict[str, Any]], tag: str) -> list[dict[str, Any]]:
    """The bodies at door numbers of their own and without a grid cell, so that none merges with
    another (merging under load is the intake benchmark's, with its repeat submissions)."""
    return [
        {k: v for k, v in b.items() if k != "grid"}
        | {"channel_ref": f"{tag}-{i}", "address": re.sub(r"\d+号$", f"{i + 1}号", b["address"])}
        for i, b in enumerate(bodies)
    ]


def _matter(reference: ReferenceData, body: dict[str, Any]) -> str | None:
    return classify(body["content"], body["address"], body.get("grid"), None, reference, 0.5).matter_type


async def run(count: int, wave: int, concurrency: int, workers: int, cache: int) -> dict[str, Any]:
    # Red deadlines after the whole burst is in and dispatched (at about 20 cases/s under load), plus
    # two minutes: the slips are then measured on their own, not queued behind the burst's dispatches.
    red_seconds = wave / 20 + 120
    async with dev_server() as server:
        db_file = server.folder / "minsheng.db"
        api_port = free_port()
        config = _fast_red_config(server.folder, red_seconds)
        env = {
            "MINSHENG_CONFIG_DIR": str(config),
            "MINSHENG_TEMPORAL_ADDRESS": server.address,
            "MINSHENG_DATABASE_URL": f"sqlite+aiosqlite:///{db_file}",
            "MINSHENG_API_PORT": str(api_port),
            "MINSHENG_LOG_LEVEL": "WARNING",
            "MINSHENG_WORKER_MAX_CACHED_WORKFLOWS": str(cache),
        }
        settings = Settings(**{k.removeprefix("MINSHENG_").lower(): v for k, v in env.items()})
        await migrate(settings)
        db = Database(settings.database_url)
        now = datetime.now(UTC)
        key = (await db.write(lambda s: keys.add_api_key(s, Role.intake, None, "bench", now)))[1]
        intake = {"Authorization": f"Bearer {key}"}
        processes = {f"worker{n + 1}": spawn(["-m", "minsheng", "worker"], env) for n in range(workers)}
        processes["api"] = spawn(["-m", "minsheng", "api"], env)
        figures: dict[str, Any] = {
            "count": count,
            "wave": wave,
            "concurrency": concurrency,
            "red_deadline_seconds": red_seconds,
            "workers": workers,
            "sticky_cache": cache,
        }
        try:
            api = f"http://127.0.0.1:{api_port}"
            await wait_until_up(api)
            limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
            async with httpx.AsyncClient(base_url=api, limits=limits, timeout=120) as http:
                print(f"creating {count} cases through the API …", flush=True)
                bodies = base_bodies(settings.reference, count, settings.match_policy.area_wide_matter_types)
                workers_cpu = [cpu_seconds(p.pid) for n, p in processes.items() if n.startswith("worker")]
                latencies: list[float] = []
                began_wall = datetime.now(UTC)
                began = time.perf_counter()
                statuses = await _post_all(http, [("/v1/requests", b, intake) for b in bodies], concurrency, latencies)
                created_s = time.perf_counter() - began
                timed = await _wait_for_deadlines(db)
                timed_s = (await _last_timed(db) - began_wall).total_seconds()
                worker_cpu_s = sum(cpu_seconds(p.pid) for n, p in processes.items() if n.startswith("worker"))
                worker_cpu_s -= sum(workers_cpu)
                figures |= {
                    "create_seconds": round(created_s, 1),
                    "create_per_second": round(count / created_s, 1),
                    "intake_latency_ms": {
                        f"p{round(q * 100)}": round(percentile(latencies, q) * 1000, 1) for q in (0.5, 0.95, 0.99)
                    },
                    "answers": statuses,
                    "open_with_live_deadlines": timed,
                    "until_all_timed_seconds": round(timed_s, 1),
                    "timed_per_second": round(timed / timed_s, 1),
                    # Cases to timers set per CPU-second the workers used: per worker core, however
                    # many cores they had.
                    "timed_per_worker_cpu_second": round(timed / worker_cpu_s, 1),
                }
                figures["memory_mib_after_create"] = _memory(processes, server.process.pid)
                print(f"created: {figures['create_per_second']}/s; {timed} cases hold live deadlines", flush=True)

                print(f"a burst of {wave} red requests; deadlines {red_seconds:.0f} s after dispatch …", flush=True)
                burst = red_bodies(settings.reference, wave)
                began = time.perf_counter()
                figures["wave_answers"] = await _post_all(
                    http, [("/v1/requests", b, intake) for b in burst], concurrency
                )
                figures["wave_created_seconds"] = round(time.perf_counter() - began, 1)
                wave_ids = await _red_cases(db)
                lags = await _wait_for_slips(db, wave_ids)
                figures["wave_cases"] = len(wave_ids)
                figures["wave_deadline_window_seconds"] = round(lags["window"], 1)
                figures["slip_lag_seconds"] = {k: round(v, 2) for k, v in lags.items() if k != "window"}
                figures["wave_slips_per_case"] = await _slips_per_case(db, wave_ids)
                figures["memory_mib_after_wave"] = _memory(processes, server.process.pid)
                figures["history_events_of_a_wave_case"] = await _history_length(server, wave_ids[0])
                figures["database_mib"] = {
                    "temporal": round(_size(server.folder / "temporal.db") / 2**20, 1),
                    "minsheng": round(_size(db_file) / 2**20, 1),
                }
        finally:
            for process in processes.values():
                process.terminate()
                process.wait()
            await db.close()
    return figures


def _memory(processes: dict[str, Any], server_pid: int) -> dict[str, float]:
    return {name: rss_mib(p.pid) for name, p in processes.items()} | {"temporal_server": rss_mib(server_pid)}


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


async def _wait_for_deadlines(db: Database, stall_seconds: float = 300) -> int:
    """Once intake has answered every request: wait until every case is classified and every
    dispatched one holds its deadlines, however long, as long as the workers advance; answer how
    many hold deadlines. (Some requests merge into another's case: count cases, not requests.)"""
    last, progressed = -1, time.monotonic()
    while True:
        async with db.session() as session:
            timed = (
                await session.exec(
                    select(func.count()).select_from(CaseRow).where(col(CaseRow.deadline_at).is_not(None))
                )
            ).one()
            waiting = (
                await session.exec(
                    select(func.count())
                    .select_from(CaseRow)
                    .where(CaseRow.status == "dispatched", col(CaseRow.deadline_at).is_(None))
                )
            ).one()
            unseen = (await session.exec(select(func.count()).select_from(CaseRow).where(col(CaseRow.seq) < 2))).one()
        if unseen == 0 and waiting == 0:
            return int(timed)
        if timed > last:
            last, progressed = timed, time.monotonic()
            print(f"  … {timed} cases hold their deadlines", flush=True)
        assert time.monotonic() - progressed < stall_seconds, f"stuck at {timed} cases with deadlines"
        await asyncio.sleep(10)


async def _last_timed(db: Database) -> datetime:
    """When the last case to get its deadlines got them (its row's update time)."""
    async with db.session() as session:
        last = (
            await session.exec(select(func.max(CaseRow.updated_at)).where(col(CaseRow.deadline_at).is_not(None)))
        ).one()
    assert last is not None
    return last if last.tzinfo else last.replace(tzinfo=UTC)


def _fast_red_config(folder: Path, red_seconds: float) -> Path:
    """The shipped config, with the red tier's limits cut to ``red_seconds`` (and fractions of it)."""
    target = folder / "config"
    shutil.copytree(Path(Settings().config_dir), target)
    policy = yaml.safe_load((target / "tiers.yaml").read_text())
    hours = red_seconds / 3600
    policy["tiers"]["red"] = {
        "handling": {"hours": hours},
        "acceptance": {"hours": hours},
        "reminder_at": 0.5,
        "warning_grace": {"hours": hours},
        "response": {"hours": hours},
    }
    (target / "tiers.yaml").write_text(yaml.safe_dump(policy))
    return target


async def _red_cases(db: Database, stall_seconds: float = 300) -> list[str]:
    """The burst's cases, once the workers have classified every case (and so dispatched the red
    ones with their deadlines). A loaded worker may take long: give up only when no case has
    advanced for ``stall_seconds``."""
    last, progressed = -1, time.monotonic()
    while True:
        async with db.session() as session:
            unseen = (await session.exec(select(func.count()).select_from(CaseRow).where(col(CaseRow.seq) < 2))).one()
            found = list((await session.exec(select(CaseRow.id).where(CaseRow.tier == "red"))).all())
        if unseen == 0:
            return found
        if len(found) > last:
            last, progressed = len(found), time.monotonic()
        assert time.monotonic() - progressed < stall_seconds, f"stuck at {len(found)} red cases, {unseen} unclassified"
        await asyncio.sleep(1)


async def _wait_for_slips(db: Database, case_ids: list[str], seconds: float = 3600) -> dict[str, float]:
    """Wait until every wave case has its deadline slip; the lag of each from its deadline."""
    deadline = time.monotonic() + seconds
    query = select(SlipRow.issued_at, SlipRow.due_at).where(
        SlipRow.trigger == "deadline", col(SlipRow.case_id).in_(case_ids)
    )
    while True:
        async with db.session() as session:
            rows = (await session.exec(query)).all()
        if len(rows) >= len(case_ids):
            break
        assert time.monotonic() < deadline, f"only {len(rows)} of {len(case_ids)} slipped"
        await asyncio.sleep(0.5)
    lags = sorted((issued - due).total_seconds() for issued, due in rows)
    dues = [due for _, due in rows]
    window = (max(dues) - min(dues)).total_seconds()
    return {
        "window": window,
        "p50": lags[len(lags) // 2],
        "p99": lags[min(len(lags) - 1, int(0.99 * len(lags)))],
        "max": lags[-1],
        "slips_per_second": len(rows) / max(window + lags[-1], 0.001),
    }


async def _slips_per_case(db: Database, case_ids: list[str]) -> dict[str, int]:
    """How many cases have how many deadline slips in their timeline (want: all exactly one)."""
    async with db.session() as session:
        rows = (
            await session.exec(
                select(CaseEventRow.case_id, func.count())
                .where(col(CaseEventRow.case_id).in_(case_ids), CaseEventRow.kind == "slip")
                .where(CaseEventRow.detail["trigger"].as_string() == "deadline")
                .group_by(col(CaseEventRow.case_id))
            )
        ).all()
    per: dict[str, int] = {}
    for _, n in rows:
        per[str(n)] = per.get(str(n), 0) + 1
    return per


async def _history_length(server: Any, case_id: str) -> int:
    client = await server.client()
    return len((await client.get_workflow_handle(case_workflow_id(case_id)).fetch_history()).events)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.open_cases", description=__doc__)
    parser.add_argument("--count", type=int, default=100_000, help="open cases to create")
    parser.add_argument("--wave", type=int, default=10_000, help="deadlines falling due together")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="worker processes (one per core)")
    parser.add_argument(
        "--cache",
        type=int,
        default=Settings().worker_max_cached_workflows,
        help="each worker's sticky cache (workflows)",
    )
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.count, args.wave, args.concurrency, args.workers, args.cache))
    for key, value in figures.items():
        print(f"{key:>34}: {value}")
    print(f"written to {write_result(f'open-cases-{args.count}-{args.workers}w-{args.cache}c', figures)}")
    return figures


if __name__ == "__main__":
    main()
