"""Case event delivery under intake load: how long after a step its signed event reaches a local
subscriber, and how many deliveries per second. Three lags to the arrival: from the event's
publication (its position given), the sending alone; from the outbox write (the worker recording
the step; the time the write was asked for, so it includes waiting for the database under the
load); and from the step's time in the workflow (its ``at``), which adds the worker's backlog.

Minsheng runs as ``make run`` runs it (API and worker processes, SQLite app database, one Temporal
dev server); one subscription to every kind, a receiver in this process that checks each
signature; requests POSTed at a fixed concurrency; the run ends when every published event has
arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from sqlmodel import func, select

from bench.common import app_setup, dev_server, free_port, percentile, spawn, write_result
from bench.intake import request_bodies, wait_until_up
from domain.case import Role
from domain.events import verify
from persistence import keys
from persistence.models import OutboxRow


class Receiver:
    """The subscriber: keeps each event's first arrival; counts bad signatures."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrived: dict[str, tuple[float, str]] = {}
        self.deliveries = 0
        self.bad_signatures = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.deliveries += 1
        if not verify(
            self.secret, int(headers["minsheng-timestamp"]), body, headers["minsheng-signature"], int(time.time())
        ):
            self.bad_signatures += 1
        event_id = headers["minsheng-event-id"]
        if event_id not in self.arrived:
            self.arrived[event_id] = (time.time(), json.loads(body)["at"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def run(count: int, concurrency: int, database_url: str | None, delivery_worker: bool) -> dict[str, Any]:
    receiver = Receiver()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=port, log_config=None, interface="asgi3"))
    serving = asyncio.create_task(server.serve())
    async with dev_server() as temporal:
        extra = {"MINSHENG_EVENTS_POLL_SECONDS": "0.1"}
        if delivery_worker:
            extra["MINSHENG_DELIVERY_TASK_QUEUE"] = "bench-deliveries"
        app = await app_setup(temporal, database_url, extra=extra)
        now = datetime.now(UTC)
        dispatcher = (await app.db.write(lambda s: keys.add_api_key(s, Role.dispatcher, None, "bench", now)))[1]
        processes = [spawn(["-m", "minsheng", "worker"], app.env), spawn(["-m", "minsheng", "api"], app.env)]
        if delivery_worker:
            processes.append(spawn(["-m", "minsheng", "worker", "--deliveries"], app.env))
        try:
            await wait_until_up(app.api)
            async with httpx.AsyncClient(base_url=app.api, timeout=60) as http:
                made = await http.post(
                    "/v1/event-subscriptions",
                    json={"url": f"http://127.0.0.1:{port}/hook"},
                    headers={"Authorization": f"Bearer {dispatcher}"},
                )
                receiver.secret = made.json()["secret"]
                semaphore = asyncio.Semaphore(concurrency)

                async def post(body: dict[str, Any]) -> None:
                    async with semaphore:
                        await http.post(
                            "/v1/requests", json=body, headers={"Authorization": f"Bearer {app.intake_key}"}
                        )

                began = time.time()
                await asyncio.gather(*(post(b) for b in request_bodies(app.settings.reference, count, 0.0)))
                posted = time.time() - began
            published = await _all_arrived(app.db, receiver, count)
            async with app.db.session() as session:
                rows = await session.exec(select(OutboxRow).where(OutboxRow.stream == "event"))
                outbox = list(rows)
                written = {row.body["id"]: row.created_at.timestamp() for row in outbox}
                published_at = {row.body["id"]: row.sent_at.timestamp() for row in outbox if row.sent_at}
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            await app.db.close()
    server.should_exit = True
    await serving
    lags = [arrived - datetime.fromisoformat(at).timestamp() for arrived, at in receiver.arrived.values()]
    delivery = [arrived - written[event_id] for event_id, (arrived, _) in receiver.arrived.items()]
    sending = [arrived - published_at[event_id] for event_id, (arrived, _) in receiver.arrived.items()]
    times = sorted(arrived for arrived, _ in receiver.arrived.values())
    return {
        "database": app.db.engine.dialect.name,
        "delivery_worker": delivery_worker,
        "requests": count,
        "concurrency": concurrency,
        "intake_requests_per_s": round(count / posted, 1),
        "events": published,
        "deliveries": receiver.deliveries,
        "bad_signatures": receiver.bad_signatures,
        "lag_s": _spread(lags),
        "delivery_lag_s": _spread(delivery),
        "send_lag_s": _spread(sending),
        "deliveries_per_s": round(len(times) / (times[-1] - times[0]), 1),
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 0.5), 3),
        "p99": round(percentile(values, 0.99), 3),
        "max": round(max(values), 3),
    }


async def _all_arrived(db: Any, receiver: Receiver, expected: int, quiet: float = 5.0, seconds: float = 600) -> int:
    """Wait until every event published so far has arrived and none came for ``quiet`` seconds."""
    deadline, last_count, last_change = time.monotonic() + seconds, -1, time.monotonic()
    while time.monotonic() < deadline:
        async with db.session() as session:
            written = (await session.exec(select(func.count()).where(OutboxRow.stream == "event"))).one()
        if len(receiver.arrived) != last_count:
            last_count, last_change = len(receiver.arrived), time.monotonic()
        # Every request makes at least one event (received, or request_joined): all are written.
        if written >= expected and len(receiver.arrived) >= written and time.monotonic() - last_change > quiet:
            return int(written)
        await asyncio.sleep(0.2)
    raise SystemExit(f"only {len(receiver.arrived)} of {written} events arrived")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__)
    parser.add_argument("--count", type=int, default=400, help="requests POSTed")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", help="an empty database for Minsheng's app data (default: a new SQLite file)")
    parser.add_argument(
        "--delivery-worker", action="store_true", help="the deliveries on a task queue and worker process of their own"
    )
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.count, args.concurrency, args.database_url, args.delivery_worker))
    print(
        f"events: {figures['events']} events of {figures['requests']} requests (intake {figures['intake_requests_per_s']} "
        f"req/s at concurrency {figures['concurrency']}); from publication: lag p50 {figures['send_lag_s']['p50']} s, "
        f"p99 {figures['send_lag_s']['p99']} s; from the outbox write: p50 "
        f"{figures['delivery_lag_s']['p50']} s, p99 {figures['delivery_lag_s']['p99']} s; from the step: p50 "
        f"{figures['lag_s']['p50']} s, p99 {figures['lag_s']['p99']} s; {figures['deliveries_per_s']} deliveries/s; "
        f"{figures['deliveries']} POSTs, {figures['bad_signatures']} bad signatures"
    )
    name = f"events-{figures['database']}-{args.count}-c{args.concurrency}" + (
        "-own-worker" if args.delivery_worker else ""
    )
    print(f"written to {write_result(name, figures)}")
    return figures


if __name__ == "__main__":
    main()
