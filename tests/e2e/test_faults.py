"""Faults at random points: while channels send a few hundred requests (repeats of one matter and
re-sends among them), the worker and the Temporal dev server are killed (SIGKILL) and started
again. Afterwards every request is in exactly one case, every case has exactly one workflow that
holds exactly its requests, and every case has progressed: nothing was lost, nothing doubled."""

from __future__ import annotations

import asyncio
import random
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from api.app import create_app
from api.context import AppContext
from domain.case import CaseStatus, Role
from minsheng.settings import Settings
from minsheng.temporal import connect
from persistence import intake
from persistence.db import Database
from persistence.models import CaseRow, RequestRow
from tests.helpers import GAS, UNCLEAR, WAGES, body, eventually, free_port, handle, in_process, make_key
from tests.processes import kill, spawn_worker, start_dev_server
from workflows.case import CaseWorkflow

pytestmark = [pytest.mark.timeout(300)]
REQUESTS = 300
SENDERS = 6
RATE = 20
"""Requests a second: sending takes 15 s, over which the faults fall."""
SEED = 20261204
FAULTS = ["worker", "dev server"] * 2


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        config_dir=Path(__file__).resolve().parents[2] / "config",
        var_dir=tmp_path / "var",
        temporal_address=f"127.0.0.1:{free_port()}",
        temporal_ui_port=free_port(),
        task_queue="faults",
        handoff_timeout_seconds=1,
        handoff_grace_seconds=1,
        reconcile_interval_seconds=1,
    )


def requests(rng: random.Random) -> list[dict[str, Any]]:
    """New matters, repeats of an earlier one at its place (they merge), and re-sends of an
    earlier request (the same channel_ref: nothing new)."""
    sent: list[dict[str, Any]] = []
    for n in range(REQUESTS):
        roll = rng.random()
        if sent and roll < 0.05:
            sent.append(rng.choice(sent))
            continue
        if sent and roll < 0.15:
            earlier = rng.choice(sent)
            sent.append(earlier | {"channel_ref": f"F-{n}", "channel": "wechat"})
            continue
        content = rng.choice([WAGES, GAS, UNCLEAR])
        place = {"lat": 37.0 + 0.01 * (n % 40), "lon": 122.0 + 0.01 * (n // 40)}  # 1 km apart: no merge
        sent.append(body(channel_ref=f"F-{n}", content=content, location=place))
    return sent


async def send(api: httpx.AsyncClient, key: dict[str, str], item: dict[str, Any]) -> dict[str, Any]:
    """As a channel does: the same call again until it is answered."""
    while True:
        try:
            answer = await api.post("/v1/requests", json=item, headers=key)
        except httpx.TransportError:
            answer = None
        if answer is not None and answer.status_code in (200, 201, 202):
            return dict(answer.json())
        assert answer is None or answer.status_code >= 500, answer.text
        await asyncio.sleep(0.2)


class Faults:
    """Kills the worker or the dev server when the channels have sent a random number of
    requests, and starts it again a random while later."""

    def __init__(self, settings: Settings, log: Path, rng: random.Random) -> None:
        self.settings, self.log = settings, log
        points = sorted(rng.sample(range(10, REQUESTS * 2 // 3), len(FAULTS)))
        victims = rng.sample(FAULTS, len(FAULTS))
        self.plan = [(at, victim, rng.uniform(0.2, 2.0)) for at, victim in zip(points, victims, strict=True)]
        self.sent = 0
        self.server: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.server = await start_dev_server(self.settings)
        self.worker = spawn_worker(self.settings.temporal_address, self.settings, self.log)

    async def run(self) -> None:
        for at, victim, down in self.plan:
            while self.sent < at:
                await asyncio.sleep(0.01)
            assert self.server is not None and self.worker is not None
            if victim == "worker":
                kill(self.worker)
                await asyncio.sleep(down)
                self.worker = spawn_worker(self.settings.temporal_address, self.settings, self.log)
            else:
                kill(self.server)
                await asyncio.sleep(down)
                self.server = await start_dev_server(self.settings)

    def stop(self) -> None:
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait()


async def test_killing_the_worker_and_the_engine_loses_and_doubles_nothing(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    faults = Faults(settings, tmp_path / "worker.log", rng)
    await faults.start()
    try:
        client = await connect(settings.temporal_address)
        app = create_app(settings, AppContext(settings, db, client, settings.reference))
        key = {"Authorization": f"Bearer {(await make_key(db, Role.intake))[1]}"}
        items = requests(rng)
        queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
        for index, item in enumerate(items):
            queue.put_nowait((index, item))
        answers: list[dict[str, Any]] = []
        begun = asyncio.get_running_loop().time()

        async def sender(api: httpx.AsyncClient) -> None:
            while not queue.empty():
                index, item = queue.get_nowait()
                await asyncio.sleep(begun + index / RATE - asyncio.get_running_loop().time())
                answers.append(await send(api, key, item))
                faults.sent += 1

        faulting = asyncio.create_task(faults.run())
        async with in_process(app) as api:
            await asyncio.gather(*(sender(api) for _ in range(SENDERS)))
        await faulting
        # The engine was down while requests came in: some were kept for the reconciler.
        assert any(a["starting"] for a in answers)

        async def settled() -> bool:
            async with db.session() as session:
                pending, _ = await intake.pending_handoffs(session)
                unrecorded = (await session.exec(select(sa.func.count()).where(col(CaseRow.seq) == 0))).one()
            return pending == 0 and unrecorded == 0

        await eventually(settled, seconds=120)
        await check_every_case(db, client, items, answers)
    finally:
        faults.stop()


async def check_every_case(
    db: Database, client: Any, items: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> None:
    async with db.session() as session:
        rows = (
            await session.exec(select(RequestRow.id, RequestRow.channel, RequestRow.channel_ref, RequestRow.case_id))
        ).all()
        cases = {c.id: c for c in (await session.exec(select(CaseRow))).all()}
    assert len(rows) == len({(i["channel"], i["channel_ref"]) for i in items})  # a re-send is nothing new
    by_case: dict[str, set[str]] = defaultdict(set)
    for request_id, _, _, case_id in rows:
        by_case[case_id].add(request_id)
    assert {a["request_id"] for a in answers} == {r[0] for r in rows}
    assert set(by_case) == set(cases)
    for case_id, request_ids in by_case.items():
        assert cases[case_id].status in (CaseStatus.received, CaseStatus.dispatched), cases[case_id]
        state = await handle(client, case_id).query(CaseWorkflow.status)
        assert set(state.requests) == request_ids, case_id

    async def one_workflow_each() -> bool:
        return (await client.count_workflows("WorkflowType='CaseWorkflow'")).count == len(cases)

    await eventually(one_workflow_each)
