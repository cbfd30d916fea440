"""The daily ranking over a million cases in PostgreSQL: how long computing one day takes.

A fresh database is migrated and loaded with realistic rows through COPY (not the ORM): ``--cases``
cases spread over ``--days`` local days ending yesterday, with a daily volume that varies (the week,
a slow wave, noise, a few storms). Each case is simulated from receipt to closure as the workflow
would write it (received, classified, dispatched, deadlines, accepted or returned and dispatched
again, whistles and responses, replied, callback visits with their attempts, reopened, closed), then
cut at the moment the benchmark runs: recent cases are still open, in whatever step they had
reached. Requests, timeline events, callback attempts and summonses follow the same story, with
the tables' foreign keys and unique constraints in force while loading.

Then the tables are vacuumed and analysed, and the ranking activity (``RankingActivities.rank_day``:
the day and its month to date, counted and stored) is timed for a busy day near the end, and for
the last day of the last complete month (the longest month to date), besides ``unit_counts`` alone
for each period. The requirement: computing a day's ranking over 1,000,000 cases takes under 5 s.

``python -m bench.ranking --cases 1000000`` (the default); ``--keep`` leaves the database for
EXPLAIN, ``--reuse`` times an already loaded one again, ``--explain`` prints the plans.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from activities.ranking import RankDayInput, RankingActivities
from bench.common import write_result
from bench.ranking.city import City
from bench.ranking.rows import LIMIT_SECONDS, ROOT, SERVER, TABLES
from domain.indicators import Period, period_bounds
from minsheng.settings import Settings
from minsheng.setup import migrate
from persistence import ranking
from persistence.db import Database

# The final answers of a round: the first round as citizens answer, and the second round of a case
# reopened after a dissatisfied answer (the reopen limit is 1: a second dissatisfied answer closes).
# Citizens' sentences are made of these; what matters to the benchmark is their length.


# -- the database ---------------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    url = make_url(SERVER)
    conn = await asyncpg.connect(user=url.username, host=url.host, port=url.port or 5432, database=url.database)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _connect(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port or 5432, database=u.database
    )


async def load(url: str, city: City, count: int, chunk_size: int) -> dict[str, Any]:
    """COPY the city's cases in chunks; the next chunk is made in a thread while the server takes
    the last one (two cores: one makes rows, the other indexes them)."""
    volume = city.daily_volume(count)
    case_days = [d for d, n in enumerate(volume) for _ in range(n)]
    conn = await _connect(url)
    copied = dict.fromkeys(TABLES, 0)
    began = time.perf_counter()
    spans = [(i, case_days[i : i + chunk_size]) for i in range(0, count, chunk_size)]
    try:
        pending = asyncio.create_task(asyncio.to_thread(city.chunk, *spans[0])) if spans else None
        for k in range(len(spans)):
            assert pending is not None
            loaded = await pending
            pending = asyncio.create_task(asyncio.to_thread(city.chunk, *spans[k + 1])) if k + 1 < len(spans) else None
            async with conn.transaction():
                for table, columns in TABLES.items():
                    if loaded.rows[table]:
                        await conn.copy_records_to_table(table, records=loaded.rows[table], columns=list(columns))
                    copied[table] += len(loaded.rows[table])
            done = spans[k][0] + len(spans[k][1])
            elapsed = time.perf_counter() - began
            print(
                f"  … {done:>9,} cases, {copied['case_events']:>10,} events loaded in {elapsed:6.1f} s "
                f"({done / elapsed:,.0f} cases/s)",
                flush=True,
            )
        loaded_s = time.perf_counter() - began
        print("  vacuum and analyse …", flush=True)
        began = time.perf_counter()
        for table in TABLES:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        vacuum_s = time.perf_counter() - began
    finally:
        await conn.close()
    return {
        "load_seconds": round(loaded_s, 1),
        "vacuum_analyze_seconds": round(vacuum_s, 1),
        "daily_volume": {"min": min(volume), "max": max(volume), "mean": round(statistics.mean(volume))},
    }


async def database_figures(url: str) -> dict[str, Any]:
    conn = await _connect(url)
    try:
        rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
        statuses = dict(await conn.fetch("SELECT status, count(*) FROM cases GROUP BY status ORDER BY 2 DESC"))
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
        tables = {
            t: round(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", t) / 2**20) for t in TABLES
        }
        version = await conn.fetchval("SHOW server_version")
        settings = {
            k: await conn.fetchval(f"SHOW {k}")
            for k in ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit")
        }
    finally:
        await conn.close()
    return {
        "rows": rows,
        "case_status": statuses,
        "database_mib": round(size / 2**20),
        "table_mib": tables,
        "postgresql": version,
        "postgresql_settings": settings,
    }


async def busy_day(url: str, city: City) -> date:
    """Of the last two weeks, the local day with the most cases closed."""
    conn = await _connect(url)
    try:
        last = city.first_day + timedelta(days=city.days - 1)
        since = datetime.combine(last - timedelta(days=13), clock(0), tzinfo=city.zone)
        until = datetime.combine(last + timedelta(days=1), clock(0), tzinfo=city.zone)
        day = await conn.fetchval(
            "SELECT (closed_at AT TIME ZONE $3)::date AS day FROM cases WHERE closed_at >= $1 AND closed_at < $2 "
            "GROUP BY day ORDER BY count(*) DESC LIMIT 1",
            since,
            until,
            city.zone.key,
        )
    finally:
        await conn.close()
    return day


STATEMENTS = ("answers", "closure", "handling", "decisions")
"""The statements ``unit_counts`` sends, in order: satisfaction, closure, handling, return."""


def _timer(db: Database) -> list[float]:
    """Durations of the statements ``db`` runs from now on, in order."""
    durations: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        context._bench_began = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        durations.append(time.perf_counter() - context._bench_began)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    sa.event.listen(db.engine.sync_engine, "after_cursor_execute", after)
    return durations


async def _connected(url: str) -> Database:
    """A new pool with its connection open, so that the times leave out connecting."""
    db = Database(url)
    async with db.engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return db


def _summary(times: list[float]) -> dict[str, Any]:
    return {
        "runs_s": [round(t, 3) for t in times],
        "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
    }


async def _rank_day(url: str, settings: Settings, day: date, runs: int, warm_up: int) -> dict[str, Any]:
    """``rank_day`` ``runs`` times. ``warm_up`` 0: each run on a new connection pool, so PostgreSQL
    plans every statement for its parameters. Otherwise one pool, after ``warm_up`` untimed runs:
    the same connection has then prepared and run each statement more than five times, after which
    PostgreSQL may keep a generic plan for it, as the worker's pool does from the third day on."""
    times: list[float] = []
    db: Database | None = None
    result = None
    try:
        for i in range(warm_up + runs):
            if db is None or not warm_up:
                if db is not None:
                    await db.close()
                db = await _connected(url)
            activities = RankingActivities(db, settings.reference, settings.timing, settings.indicator_policy)
            began = time.perf_counter()
            result = await activities.rank_day(RankDayInput(day=day))
            if i >= warm_up:
                times.append(time.perf_counter() - began)
    finally:
        if db is not None:
            await db.close()
    assert result is not None
    return _summary(times) | {"units_ranked": result.units_ranked, "first": result.first}


async def _unit_counts(url: str, start: datetime, end: datetime, runs: int) -> dict[str, Any]:
    """``unit_counts`` alone, each run on a new connection, with the time of each statement."""
    times: list[float] = []
    statements: list[list[float]] = []
    result: dict[str, Any] = {}
    for _ in range(runs):
        db = await _connected(url)
        durations = _timer(db)
        try:
            began = time.perf_counter()
            async with db.session() as session:
                result = await ranking.unit_counts(session, start, end)
            times.append(time.perf_counter() - began)
            statements.append(durations[-len(STATEMENTS) :])
        finally:
            await db.close()
    best = statements[times.index(min(times))]
    totals = {
        k: sum(getattr(c, k) for c in result.values()) for k in ("due", "replied", "satisfied", "accepted", "returned")
    }
    return _summary(times) | {
        "statements_of_best_s": {name: round(t, 3) for name, t in zip(STATEMENTS, best, strict=True)},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "units": len(result),
        "totals": totals,
    }


async def measure(url: str, settings: Settings, days: dict[str, date], runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for label, day in days.items():
        print(f"  {label} {day}: rank_day on new connections …", flush=True)
        entry: dict[str, Any] = {"day": day.isoformat()}
        entry["rank_day_new_connection"] = await _rank_day(url, settings, day, runs, warm_up=0)
        print(f"  {label} {day}: rank_day on a connection that ran it {runs} times before …", flush=True)
        entry["rank_day_reused_connection"] = await _rank_day(url, settings, day, runs, warm_up=3)
        for period in Period:
            start, end = period_bounds(day, period, settings.timing.zone)
            entry[f"unit_counts_{period.value}"] = await _unit_counts(url, start, end, runs)
        figures[label] = entry
    return figures


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


async def explain(url: str, day: date, settings: Settings) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements ``unit_counts`` sends for the day and its month:
    the plan for the parameters (a new connection's), and the generic plan (a connection that has
    run the statement more than five times may keep it)."""
    db = Database(url)
    captured: list[tuple[str, Any]] = []
    sa.event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, parameters, context, many: captured.append((statement, parameters)),
    )
    out: list[str] = []
    try:
        for period in Period:
            start, end = period_bounds(day, period, settings.timing.zone)
            captured.clear()
            async with db.session() as session:
                await ranking.unit_counts(session, start, end)
            # unit_counts first sets its transaction's planner settings: the same on this connection.
            settings_sent = [s for s, _ in captured if s.lstrip().upper().startswith("SET ")]
            queries = [(s, p) for s, p in captured if s not in settings_sent]
            conn = await _connect(url)
            try:
                for statement in settings_sent:
                    await conn.execute(statement.replace("SET LOCAL", "SET", 1))
                for (statement, parameters), name in zip(queries, STATEMENTS, strict=True):
                    out.append(f"-- {name}, {period.value} {start.isoformat()} .. {end.isoformat()}\n{statement}\n")
                    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *parameters)
                    out.extend(["-- plan for the parameters", *(row[0] for row in plan), ""])
                    await conn.execute(f"PREPARE bench_{name} AS {statement}")
                    await conn.execute("SET plan_cache_mode = force_generic_plan")
                    arguments = ", ".join(_literal(p) for p in parameters)
                    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_{name}({arguments})")
                    await conn.execute(f"RESET plan_cache_mode; DEALLOCATE bench_{name}")
                    out.extend(["-- generic plan", *(row[0] for row in plan), ""])
            finally:
                await conn.close()
    finally:
        await db.close()
    return "\n".join(out)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = make_url(SERVER).set(database=args.database).render_as_string(hide_password=False)
    settings = Settings(database_url=url, config_dir=ROOT / "config")
    now = datetime.now(UTC)
    yesterday = now.astimezone(settings.timing.zone).date() - timedelta(days=1)
    first_day = yesterday - timedelta(days=args.days - 1)
    city = City(settings.reference, settings.timing, first_day, args.days, now, args.seed)
    figures: dict[str, Any] = {
        "cases": args.cases,
        "days": args.days,
        "first_day": first_day.isoformat(),
        "last_day": yesterday.isoformat(),
    }
    try:
        if args.reuse:
            print(f"reusing database {args.database} (loaded before; its days end where that run's did)", flush=True)
        else:
            print(f"fresh database {args.database}; migrating …", flush=True)
            await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            await _admin(f'CREATE DATABASE "{args.database}"')
            await migrate(settings)
            print(f"loading {args.cases:,} cases received {first_day} .. {yesterday} ({args.days} days) …", flush=True)
            figures |= await load(url, city, args.cases, args.chunk)
        figures |= await database_figures(url)
        figures["cases"] = figures["rows"]["cases"]
        busy = args.day or await busy_day(url, city)
        month_end = busy.replace(day=1) - timedelta(days=1)
        days = {"busy_day": busy, "last_day_of_last_full_month": month_end}
        print(
            f"timing the ranking of {busy}, and of {month_end} (the longest month to date), {args.runs} runs each …",
            flush=True,
        )
        figures["ranking"] = await measure(url, settings, days, args.runs)
        if args.explain:
            plans = await explain(url, busy, settings)
            path = ROOT / "bench" / "results" / "ranking-explain.txt"
            path.write_text(plans)
            print(plans)
            print(f"plans written to {path}")
    finally:
        if not args.keep:
            await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    medians = [
        e[k]["median_s"]
        for e in figures["ranking"].values()
        for k in ("rank_day_new_connection", "rank_day_reused_connection")
    ]
    figures["limit_seconds"] = LIMIT_SECONDS
    figures["slowest_rank_day_median_s"] = max(medians)
    figures["within_limit"] = max(medians) < LIMIT_SECONDS
    return figures


def report(figures: dict[str, Any], path: Path) -> None:
    machine = json.loads(path.read_text())["machine"]
    print(f"\nranking over {figures['cases']:,} cases in PostgreSQL {figures['postgresql']}")
    print(
        f"  machine: {machine['cpus']} cores, {machine['cpu']}, {machine['memory_gib']} GiB, Python {machine['python']}"
    )
    print(f"  cases received {figures['first_day']} .. {figures['last_day']} ({figures['days']} days)", end="")
    if "daily_volume" in figures:
        v = figures["daily_volume"]
        print(f", {v['min']:,}–{v['max']:,} a day (mean {v['mean']:,})")
        print(
            f"  load (COPY, keys and indexes in force): {figures['load_seconds']} s; vacuum + analyse {figures['vacuum_analyze_seconds']} s"
        )
    else:
        print()
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in figures["rows"].items()))
    print("  cases by status: " + ", ".join(f"{s} {n:,}" for s, n in figures["case_status"].items()))
    print(
        f"  database size: {figures['database_mib']:,} MiB ("
        + ", ".join(f"{t} {m:,}" for t, m in figures["table_mib"].items())
        + ")"
    )
    print(f"\n  {'timed (s)':<58} {'runs':<22} {'best':>6} {'median':>6}")
    for label, entry in figures["ranking"].items():
        day, month = entry["unit_counts_day"], entry["unit_counts_month"]
        print(f"  {label.replace('_', ' ')}: {entry['day']}, its month to date from {month['from'][:10]}")
        rows = [
            ("rank_day (day + month, stored), new connection", entry["rank_day_new_connection"]),
            ("rank_day, connection that ran it 3 times before", entry["rank_day_reused_connection"]),
            (f"unit_counts, the day ({day['units']} units)", day),
            (f"unit_counts, the month to date ({month['units']} units)", month),
        ]
        for name, t in rows:
            print(
                f"    {name:<56} {', '.join(f'{x:.3f}' for x in t['runs_s']):<22} {t['best_s']:>6.3f} {t['median_s']:>6.3f}"
            )
        for name, t in (("day", day), ("month", month)):
            parts = ", ".join(f"{k} {v:.3f}" for k, v in t["statements_of_best_s"].items())
            print(f"      statements of the best {name} run: {parts}")
        print(f"      the day counted: {', '.join(f'{k} {v:,}' for k, v in day['totals'].items())} (summed over units)")
    verdict = "within" if figures["within_limit"] else "NOT within"
    print(
        f"\n  slowest median of rank_day: {figures['slowest_rank_day_median_s']:.3f} s, {verdict} the {figures['limit_seconds']:.0f} s limit"
    )
    print(f"  written to {path}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ranking", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to load (default 1,000,000)")
    parser.add_argument("--days", type=int, default=120, help="days they were received over, ending yesterday")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument("--database", default="minsheng_bench_ranking", help="dropped and created afresh")
    parser.add_argument("--chunk", type=int, default=20_000, help="cases per COPY")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--day", type=date.fromisoformat, help="the day to rank (default: a busy day near the end)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the database a --keep run left, without loading")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of unit_counts' statements")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args))
    name = "ranking" if args.cases == 1_000_000 else f"ranking-{args.cases}"
    path = write_result(name, figures)
    report(figures, path)
    return figures
