"""The auditor's record at scale: verifying 100,000 cases' timeline chains, and archiving a closed
case's history.

**Verify.** A fresh database is filled with ``--cases`` cases of ``--events`` timeline events each,
chained as the worker chains them, and a day's anchor sealed over them; then ``minsheng audit
verify --no-history`` (``services.audit.verify``: every chain, every anchored head, the ledgers)
is timed over all of them, and once more with one row edited, which it must name.

**Archive.** On the dev server (SQLite, as ``make run``), ``--archive-cases`` cases are driven to
their end by a worker in this process (received, dispatched, accepted, replied, visited, closed),
then each is exported as the case-archive workflow's activity does (every run's history fetched,
gzipped, hashed, written to the local object store, recorded): the time per case, and the history's
size raw and compressed.

    python -m bench.audit [--cases 100000] [--events 10] [--database-url URL] [--archive-cases 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from activities.archive import AuditActivities
from bench.common import app_setup, dev_server, percentile, write_result
from domain.audit import GENESIS, event_content, link
from domain.case import AcceptInput, Actor, CallbackAnswer, CallbackInput, ReplyInput, Role
from domain.request import Citizen, Location, NewRequest
from gateways.cases import CaseGateway
from gateways.storage import object_store
from minsheng.logs import configure_logging
from minsheng.settings import Settings
from minsheng.setup import migrate
from minsheng.temporal import case_workflow_id
from persistence import audit
from persistence.db import Database
from persistence.models import CallbackRow
from services.audit import verify
from services.intake import submit_request
from worker import build_worker

ROOT = Path(__file__).parent.parent
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
KINDS = ("received", "classified", "dispatched", "deadlines", "citizen_clock", "accepted", "replied", "callback")


def _events(case_id: str, count: int) -> list[dict[str, Any]]:
    rows, prev = [], GENESIS
    for seq in range(1, count + 1):
        at = T0 + timedelta(minutes=seq)
        row = {
            "case_id": case_id,
            "seq": seq,
            "at": at,
            "kind": KINDS[(seq - 1) % len(KINDS)],
            "status": "dispatched",
            "actor_role": "system",
            "actor_unit": "hrss_bureau",
            "actor_key_id": None,
            "detail": {"unit": "hrss_bureau", "note": f"第{seq}步"},
        }
        content = event_content(**row)
        h = link(prev, content)
        rows.append(row | {"prev_hash": prev, "hash": h})
        prev = h
    return rows


async def fill(db: Database, cases: int, events: int) -> float:
    """Cases and their chained events, inserted in batches; the seconds it took."""
    started = time.perf_counter()
    batch = 2_000
    for first in range(0, cases, batch):
        ids = [f"B{n:08d}" for n in range(first, min(first + batch, cases))]
        case_rows = [
            {
                "id": i,
                "status": "closed",
                "channel": "hotline_12345",
                "received_at": T0,
                "updated_at": T0,
                "deadline_provisional": False,
                "overdue": False,
                "callback_round": 1,
                "reopened": 0,
                "seq": events,
            }
            for i in ids
        ]
        event_rows = [r for i in ids for r in _events(i, events)]
        async with db.engine.begin() as conn:
            await conn.execute(sa.table("cases", *(sa.column(k) for k in case_rows[0])).insert(), case_rows)
            columns = [sa.column(k, sa.JSON() if k == "detail" else None) for k in event_rows[0]]
            await conn.execute(sa.table("case_events", *columns).insert(), event_rows)
    return time.perf_counter() - started


async def bench_verify(database_url: str | None, cases: int, events: int) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="minsheng-bench-audit-"))
    url = database_url or f"sqlite+aiosqlite:///{folder / 'minsheng.db'}"
    await migrate(Settings(database_url=url, config_dir=ROOT / "config"))
    db = Database(url)
    try:
        filled = await fill(db, cases, events)
        print(f"  {cases:,} cases × {events} events inserted and chained in {filled:.1f} s")
        await db.write(lambda session: audit.seal_anchor(session, date(2026, 11, 2), datetime.now(UTC)))
        started = time.perf_counter()
        clean = await verify(db)
        seconds = time.perf_counter() - started
        assert clean.ok and clean.events == cases * events, clean.summary()
        print(f"  verify: {clean.summary()} in {seconds:.1f} s")
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE case_events SET kind = 'replieD' WHERE case_id = :c AND seq = 7"), {"c": "B00000042"}
            )
        started = time.perf_counter()
        edited = await verify(db)
        again = time.perf_counter() - started
        named = [str(f) for f in edited.findings]
        assert named == ["case B00000042 #7: its content does not match its hash (edited?)"], named
        print(f"  verify after one edit: {named[0]} in {again:.1f} s")
        return {
            "database": db.engine.dialect.name,
            "cases": cases,
            "events": cases * events,
            "fill_seconds": round(filled, 1),
            "verify_seconds": round(seconds, 1),
            "events_per_second": round(cases * events / seconds),
            "verify_after_edit_seconds": round(again, 1),
            "edit_found": named,
        }
    finally:
        await db.close()


async def _close_case(settings: Settings, db: Database, cases: CaseGateway, n: int) -> str:
    new = NewRequest(
        channel="hotline_12345",
        channel_ref=f"bench-archive-{n}-{time.time_ns()}",
        citizen=Citizen(name="张三", phone="13800000000"),
        content="公司拖欠工资三个月不发，老板联系不上",
        address=f"崖头街道成山大道{n + 1}号",
        location=Location(lat=36.5 + 0.01 * n, lon=122.45),
    )
    submitted = await submit_request(db, cases, settings, new, "k_bench", datetime.now(UTC))
    handle = cases.client.get_workflow_handle(case_workflow_id(submitted.case_id))
    unit = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")
    for _ in range(200):
        try:
            await handle.execute_update("accept", AcceptInput(actor=unit))
            break
        except Exception:  # noqa: BLE001  (not dispatched yet)
            await asyncio.sleep(0.05)
    await handle.execute_update("reply", ReplyInput(actor=unit, result="已责令企业支付拖欠工资"))
    while True:
        async with db.session() as session:
            task = (
                await session.exec(
                    sa.select(CallbackRow).where(
                        CallbackRow.case_id == submitted.case_id, CallbackRow.status == "pending"
                    )  # type: ignore[arg-type]
                )
            ).first()
        if task is not None:
            break
        await asyncio.sleep(0.05)
    agent = Actor(role=Role.callback_agent, key_id="k_agent")
    answer = CallbackInput(actor=agent, request_id=task[0].request_id, answer=CallbackAnswer.satisfied, attempt=1)
    await handle.execute_update("callback", answer)
    await handle.result()
    return submitted.case_id


async def bench_archive(count: int) -> dict[str, Any]:
    async with dev_server() as server:
        app = await app_setup(server, extra={"MINSHENG_VAR_DIR": str(server.folder)})
        settings = app.settings.model_copy(update={"config_dir": ROOT / "config", "var_dir": server.folder})
        policy = settings.match_policy
        settings.__dict__["match_policy"] = policy.model_copy(update={"closed_within_days": 0})
        client = await server.client()
        cases = CaseGateway(client, settings)
        async with build_worker(client, settings, app.db):
            case_ids = [await _close_case(settings, app.db, cases, n) for n in range(count)]
        store = object_store(settings)
        archiver = AuditActivities(app.db, client, store, settings.timing)
        timings = []
        for case_id in case_ids:
            started = time.perf_counter()
            outcome = await archiver._archive_case(case_id)
            timings.append((time.perf_counter() - started) * 1000)
            assert outcome == "archived", outcome
        objects = await store.list("archive/cases/")
        raw = []
        for case_id in case_ids[:10]:
            history = await client.get_workflow_handle(case_workflow_id(case_id)).fetch_history()
            raw.append((len(history.events), len(history.to_json().encode())))
        await app.db.close()
    figures = {
        "cases": count,
        "export_ms": {
            "median": round(statistics.median(timings), 1),
            "p95": round(percentile(timings, 0.95), 1),
            "max": round(max(timings), 1),
        },
        "history_events": statistics.median(e for e, _ in raw),
        "history_json_bytes": statistics.median(b for _, b in raw),
        "archived_gzip_bytes": statistics.median(o.size for o in objects),
    }
    print(
        f"  archive export per case (dev server, local store): median {figures['export_ms']['median']} ms, "
        f"p95 {figures['export_ms']['p95']} ms; a history of {figures['history_events']} events, "
        f"{figures['history_json_bytes']:,} bytes of JSON → {figures['archived_gzip_bytes']:,} bytes gzipped"
    )
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.audit", description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--database-url", help="an empty database for the verify (default: a new SQLite file)")
    parser.add_argument("--archive-cases", type=int, default=50, help="0: the verify alone")
    args = parser.parse_args(argv)
    configure_logging("console", "WARNING")  # the worker's per-step lines would drown the figures
    print("audit: verify")
    verified = asyncio.run(bench_verify(args.database_url, args.cases, args.events))
    archived = {}
    if args.archive_cases:
        print("audit: archive")
        archived = asyncio.run(bench_archive(args.archive_cases))
    figures = {"verify": verified, "archive": archived}
    path = write_result("audit" if not args.database_url else "audit-postgresql", figures)
    print(f"  written to {path}")
    return figures


if __name__ == "__main__":
    main()
