"""A worker process killed (SIGKILL) in the middle of a case: a new one carries the case to closure
and the read model holds every step exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from domain.case import AcceptInput, Actor, CallbackAnswer, CaseStatus, ReplyInput, Role
from minsheng.settings import Settings
from persistence.db import Database
from tests.helpers import answer_callback, case_file, closed_state, handle, pending_callbacks, submit, wait_for_status
from tests.processes import kill, worker_process
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.parametrize("database_url", ["sqlite"], indirect=True), pytest.mark.timeout(120)]
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")


async def test_a_killed_worker_loses_nothing(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    client = dev_env.client
    address = client.service_client.config.target_host
    log = tmp_path / "worker.log"
    with worker_process(address, settings, log) as first:
        submitted = await submit(db, client, settings)
        await wait_for_status(db, submitted.case_id, "dispatched")
        kill(first)

    case = handle(client, submitted.case_id)
    # An action sent while no worker runs waits for one, then goes through.
    accepting = asyncio.create_task(case.execute_update(CaseWorkflow.accept, AcceptInput(actor=HRSS)))
    await asyncio.sleep(0.5)
    assert not accepting.done()
    with worker_process(address, settings, log) as second:
        await asyncio.wait_for(accepting, 60)
        # Killed while the reply is being handled: validated, maybe mid-write.
        replying = asyncio.create_task(case.execute_update(CaseWorkflow.reply, ReplyInput(actor=HRSS, result="已支付")))
        await asyncio.sleep(0.05)
        kill(second)
    with worker_process(address, settings, log):
        await asyncio.wait_for(replying, 60)
        [task] = await pending_callbacks(db, submitted.case_id, seconds=60)
        await answer_callback(case, task, CallbackAnswer.satisfied)
        assert (await closed_state(db, case, 60)).status is CaseStatus.closed

    file = await case_file(db, submitted.case_id)
    assert [e.kind for e in file.events] == [
        "received",
        "classified",
        "dispatched",
        "deadlines",
        "citizen_clock",
        "accepted",
        "replied",
        "callbacks_planned",
        "callback",
        "closed",
    ], log.read_text()[-3000:]
    assert [e.seq for e in file.events] == list(range(1, 11))
    assert len(file.callbacks) == 1 and file.callbacks[0].answer == "satisfied"
    assert file.case.status == "closed"
