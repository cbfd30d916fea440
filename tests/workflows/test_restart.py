"""Deadlines survive restarts: a worker down while they fall due, and the Temporal server itself
restarted on its SQLite file. Each due slip is issued exactly once. Real dev server, red tier in
seconds."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from minsheng.settings import Settings
from minsheng.temporal import connect
from persistence.db import Database
from tests.fast_policy import fast_config
from tests.helpers import GAS, case_file, free_port, new_request, submit, wait_for_event
from tests.processes import dev_server, kill, worker_process

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(120)]
EVERY_SLIP = ["acceptance", "reminder_point", "deadline", "warning_grace", "citizen_deadline"]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    # Acceptance 2 s, reminder 4 s, deadline 8 s, warning 11 s after dispatch.
    return Settings(
        database_url=database_url,
        config_dir=fast_config(tmp_path, due_s=8, accept_s=2, grace_s=3),
        var_dir=tmp_path / "var",
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        task_queue="restart-test",
    )


async def slip_triggers(db: Database, case_id: str) -> list[str]:
    """The slips issued, the unit's clock in the order issued, then the citizen's deadline: that one
    counts from receipt, so where it falls among the unit's depends on how soon the case was dispatched."""
    triggers = [e.detail["trigger"] for e in (await case_file(db, case_id)).events if e.kind == "slip"]
    return [t for t in triggers if t != "citizen_deadline"] + [t for t in triggers if t == "citizen_deadline"]


async def wait_for_slips(db: Database, case_id: str, seconds: float = 40) -> None:
    for _ in range(int(seconds * 5)):
        if len(await slip_triggers(db, case_id)) >= len(EVERY_SLIP):
            return
        await asyncio.sleep(0.2)


async def test_slips_due_while_the_worker_was_down_are_issued_once(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    async with dev_server(settings):
        client = await connect(settings.temporal_address)
        with worker_process(settings.temporal_address, settings, log) as worker:
            submitted = await submit(db, client, settings, new_request(GAS))
            await wait_for_event(db, submitted.case_id, "deadlines")
            kill(worker)
        assert await slip_triggers(db, submitted.case_id) == []
        await asyncio.sleep(12)  # every trigger falls due while no worker runs
        with worker_process(settings.temporal_address, settings, log):
            await wait_for_slips(db, submitted.case_id)
            await asyncio.sleep(2)
        assert await slip_triggers(db, submitted.case_id) == EVERY_SLIP, log.read_text()[-2000:]


async def test_slips_survive_a_restart_of_the_temporal_server(db: Database, settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    async with dev_server(settings) as first:
        client = await connect(settings.temporal_address)
        with worker_process(settings.temporal_address, settings, log) as worker:
            submitted = await submit(db, client, settings, new_request(GAS))
            await wait_for_event(db, submitted.case_id, "deadlines")
            first.terminate()
            first.wait()
            await asyncio.sleep(10)  # the server is down while the deadlines fall due
            async with dev_server(settings):
                await wait_for_slips(db, submitted.case_id)
                await asyncio.sleep(2)
            assert worker.poll() is None, "the worker rode out the server's absence"
    assert await slip_triggers(db, submitted.case_id) == EVERY_SLIP, log.read_text()[-2000:]
    assert (await case_file(db, submitted.case_id)).case.overdue
