"""A worker process killed (SIGKILL) while it is delivering case events to a subscriber: another
worker takes the delivery over and the subscriber gets every event of every case, in order per
case (a delivery cut short may come twice, with the same event id)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from gateways.events import start_delivery
from minsheng.settings import Settings
from persistence import subscriptions
from persistence.db import Database
from tests.helpers import Receiver, case_file, eventually, submit, wait_for_status
from tests.processes import kill, worker_process

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(120)]


async def test_a_worker_killed_mid_delivery_loses_no_event(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    settings.events_heartbeat_seconds = 2  # how soon the second worker takes the delivery over
    settings.events_retry_max_seconds = 2
    client = dev_env.client
    address = client.service_client.config.target_host
    log = tmp_path / "worker.log"
    now = datetime.now(UTC)
    async with Receiver(delay=0.3) as receiver:
        subscription = await db.write(
            lambda s: subscriptions.add_subscription(s, receiver.url, [], None, "k_test", None, 0, now)
        )
        await start_delivery(client, settings, subscription.id)
        with worker_process(address, settings, log) as first:
            case_ids = [(await submit(db, client, settings)).case_id for _ in range(3)]
            for case_id in case_ids:
                await wait_for_status(db, case_id, "dispatched", seconds=60)
            await eventually(lambda: _in_flight(receiver))
            kill(first)
        cut_short = len(receiver.deliveries)
        with worker_process(address, settings, log):
            timelines = {case_id: [e.seq for e in (await case_file(db, case_id)).events] for case_id in case_ids}
            await eventually(lambda: _received(receiver, timelines), seconds=60)

    assert cut_short < len(receiver.deliveries), log.read_text()[-3000:]
    for case_id, seqs in timelines.items():
        assert [e["seq"] for e in receiver.events_of(case_id)][: len(seqs)] == seqs


async def _in_flight(receiver: Receiver) -> bool:
    return receiver.in_flight > 0 and len(receiver.deliveries) > 3


async def _received(receiver: Receiver, timelines: dict[str, list[int]]) -> bool:
    return all(len(receiver.events_of(case_id)) >= len(seqs) for case_id, seqs in timelines.items())
