"""Intake through an outage of the case engine: how many requests are kept while the Temporal dev
server is down, and how soon after it is back every one of them is a started, recorded case.

Minsheng runs as ``make run`` runs it (API and worker processes, SQLite app database, the default
hand-over timeout, grace and reconcile interval unless given). Channels send at a steady rate
throughout; at ``--before`` seconds the dev server is killed (SIGKILL) and started again on its
SQLite file ``N`` seconds later. Figures per outage: answers by status, the slowest answer, how
long after the server was back the last kept request was handed over and recorded, and the
check that each request is in one case and each case has one workflow.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx
from sqlmodel import col, func, select

from bench.common import DevServer, app_setup, dev_server, spawn, write_result
from bench.intake import request_bodies, wait_until_up
from minsheng.settings import Settings
from persistence.db import Database
from persistence.models import CaseRow, HandoffRow, RequestRow


async def _send(
    api: str, key: str, bodies: list[dict[str, Any]], rate: float, answers: list[tuple[float, int, float]]
) -> None:
    """Each body at its moment (``rate`` a second), retried as a channel would until answered."""
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:

        async def one(index: int, body: dict[str, Any]) -> None:
            await asyncio.sleep(index / rate - (time.perf_counter() - began))
            while True:
                sent = time.perf_counter()
                try:
                    status = (await http.post("/v1/requests", json=body)).status_code
                except httpx.TransportError:
                    status = 0
                answers.append((sent - began, status, time.perf_counter() - sent))
                if status in (200, 201, 202):
                    return
                await asyncio.sleep(1)

        await asyncio.gather(*(one(i, b) for i, b in enumerate(bodies)))


async def _recovered(db: Database, seconds: float = 600) -> float:
    """Wait until no hand-over is left and every case is recorded; when that was (monotonic)."""
    deadline = time.perf_counter() + seconds
    while True:
        async with db.session() as session:
            left = (await session.exec(select(func.count()).select_from(HandoffRow))).one()
            unrecorded = (await session.exec(select(func.count()).where(col(CaseRow.seq) == 0))).one()
        if left == 0 and unrecorded == 0:
            return time.perf_counter()
        assert time.perf_counter() < deadline, f"{left} hand-overs and {unrecorded} unrecorded cases left"
        await asyncio.sleep(0.2)


async def _one_each(db: Database, server: DevServer) -> dict[str, int]:
    async with db.session() as session:
        requests = (await session.exec(select(func.count()).select_from(RequestRow))).one()
        cases = (await session.exec(select(func.count()).select_from(CaseRow))).one()
    client = await server.client()
    for _ in range(100):  # visibility catches up
        workflows = (await client.count_workflows("WorkflowType='CaseWorkflow'")).count
        if workflows == cases:
            break
        await asyncio.sleep(0.2)
    return {"request_rows": requests, "cases": cases, "case_workflows": workflows}


async def outage(seconds: float, before: float, after: float, rate: float, env: dict[str, str]) -> dict[str, Any]:
    async with dev_server() as server:
        app = await app_setup(server, extra=env)
        settings, db, key, api = app.settings, app.db, app.intake_key, app.api
        processes = [spawn(["-m", "minsheng", "worker"], app.env), spawn(["-m", "minsheng", "api"], app.env)]
        try:
            await wait_until_up(api)
            count = int((before + seconds + after) * rate)
            bodies = request_bodies(settings.reference, count, duplicate_share=0.05, seed=11, repeat_share=0.2)
            answers: list[tuple[float, int, float]] = []
            began = time.perf_counter()
            sending = asyncio.create_task(_send(api, key, bodies, rate, answers))
            await asyncio.sleep(before)
            server.kill()
            down_at = time.perf_counter() - began
            await asyncio.sleep(seconds)
            await server.start_again()
            back_at = time.perf_counter() - began
            await sending
            recovered_at = await _recovered(db) - began
            during = [a for a in answers if down_at <= a[0] < back_at]
            statuses: dict[str, int] = {}
            for _, status, _ in answers:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
            figures = {
                "outage_s": seconds,
                "rate_per_s": rate,
                "requests": count,
                "answers": statuses,
                "kept_during_outage_202": sum(1 for a in during if a[1] == 202),
                "slowest_answer_s": round(max(a[2] for a in answers), 2),
                "slowest_answer_during_outage_s": round(max((a[2] for a in during), default=0), 2),
                "server_restart_s": round(back_at - down_at - seconds, 1),
                "all_recorded_after_back_s": round(recovered_at - back_at, 1),
                **await _one_each(db, server),
            }
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            await db.close()
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.outage", description=__doc__)
    parser.add_argument("--outages", default="10,30,60", help="seconds the dev server is down, comma-separated")
    parser.add_argument("--rate", type=float, default=20, help="requests a second, throughout")
    parser.add_argument("--before", type=float, default=10, help="seconds of traffic before the outage")
    parser.add_argument("--after", type=float, default=10, help="seconds of traffic after it")
    parser.add_argument(
        "--reconcile-interval", type=float, help="MINSHENG_RECONCILE_INTERVAL_SECONDS (default: the setting's)"
    )
    parser.add_argument("--grace", type=float, help="MINSHENG_HANDOFF_GRACE_SECONDS (default: the setting's)")
    args = parser.parse_args(argv)
    env = {}
    if args.reconcile_interval is not None:
        env["MINSHENG_RECONCILE_INTERVAL_SECONDS"] = str(args.reconcile_interval)
    if args.grace is not None:
        env["MINSHENG_HANDOFF_GRACE_SECONDS"] = str(args.grace)
    defaults = Settings()
    print(
        "outage: the dev server killed mid-intake and started again; reconcile every "
        f"{env.get('MINSHENG_RECONCILE_INTERVAL_SECONDS', defaults.reconcile_interval_seconds)} s, grace "
        f"{env.get('MINSHENG_HANDOFF_GRACE_SECONDS', defaults.handoff_grace_seconds)} s, hand-over timeout "
        f"{defaults.handoff_timeout_seconds} s",
        flush=True,
    )
    runs = []
    for seconds in [float(x) for x in args.outages.split(",")]:
        row = asyncio.run(outage(seconds, args.before, args.after, args.rate, env))
        print(
            f"  down {seconds:>4.0f} s: {row['requests']} requests, answers {row['answers']}, "
            f"{row['kept_during_outage_202']} kept (202) while down, slowest answer {row['slowest_answer_s']} s; "
            f"all recorded {row['all_recorded_after_back_s']} s after the server was back; "
            f"{row['request_rows']} requests kept → {row['cases']} cases, {row['case_workflows']} case workflows",
            flush=True,
        )
        runs.append(row)
    figures = {"settings": env, "runs": runs}
    print(f"written to {write_result('outage', figures)}")
    return figures


if __name__ == "__main__":
    main()
