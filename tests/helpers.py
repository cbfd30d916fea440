"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from temporalio.client import Client, WorkflowHandle

from domain.case import Actor, CallbackAnswer, CallbackInput, CaseState, Role
from domain.request import Citizen, Location, NewRequest
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from persistence import repo
from persistence.db import Database
from persistence.models import CallbackRow
from persistence.repo import CaseFile
from services.intake import Submitted, submit_request
from workflows.case import CaseWorkflow

WAGES = "公司拖欠工资三个月不发，老板联系不上"
UNCLEAR = "我想咨询一下这个事情怎么办"


_places = itertools.count()


def somewhere() -> Location:
    """A place of its own, 1.1 km north of the last one: requests in a test do not merge by accident."""
    return Location(lat=37.0 + 0.01 * (next(_places) % 40), lon=122.45)


def new_request(content: str = WAGES, address: str = "崖头街道成山大道100号", **extra: object) -> NewRequest:
    extra.setdefault("location", somewhere())
    return NewRequest(
        channel=str(extra.pop("channel", "hotline_12345")),
        channel_ref=str(extra.pop("channel_ref", secrets.token_hex(6))),
        citizen=Citizen(name="张三", phone="13800000000"),
        content=content,
        address=address,
        **extra,  # type: ignore[arg-type]
    )


async def submit(db: Database, client: Client, settings: Settings, request: NewRequest | None = None) -> Submitted:
    return await submit_request(
        db, CaseGateway(client, settings), settings, request or new_request(), "k_test", datetime.now(UTC)
    )


async def case_file(db: Database, case_id: str) -> CaseFile:
    async with db.session() as session:
        found = await repo.get_case(session, case_id)
    assert found is not None, f"case {case_id} is not in the database"
    return found


async def wait_for(
    db: Database, case_id: str, ready: Callable[[CaseFile], bool], what: str, seconds: float = 20
) -> CaseFile:
    """Poll the read model until ``ready``; fail saying where the case stands if it never is."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        file = await case_file(db, case_id)
        if ready(file):
            return file
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(
                f"case {case_id} never {what} in {seconds}s: it is {file.case.status}, "
                f"timeline {[e.kind for e in file.events]}"
            )
        await asyncio.sleep(0.05)


async def wait_for_status(db: Database, case_id: str, status: str, seconds: float = 20) -> CaseFile:
    return await wait_for(db, case_id, lambda f: f.case.status == status, f"became {status}", seconds)


async def wait_for_event(db: Database, case_id: str, kind: str, seconds: float = 20) -> CaseFile:
    return await wait_for(db, case_id, lambda f: kind in [e.kind for e in f.events], f"recorded {kind}", seconds)


def handle(client: Client, case_id: str) -> WorkflowHandle[CaseWorkflow, CaseState]:
    return client.get_workflow_handle_for(CaseWorkflow.run, f"case-{case_id}")


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    """Poll ``check`` until it holds; fail after ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"still not so after {seconds}s"
        await asyncio.sleep(0.1)


async def pending_callbacks(db: Database, case_id: str, count: int = 1, seconds: float = 20) -> list[CallbackRow]:
    """Wait until ``count`` callback tasks of the case are pending in the agents' queue."""
    file = await wait_for(
        db,
        case_id,
        lambda f: sum(c.status == "pending" for c in f.callbacks) >= count,
        f"had {count} pending callback task(s)",
        seconds,
    )
    return [c for c in file.callbacks if c.status == "pending"]


async def answer_callback(
    case: WorkflowHandle[CaseWorkflow, CaseState], task: CallbackRow, answer: CallbackAnswer
) -> CaseState:
    """What ``POST /v1/callbacks/{id}`` does: the agent's answer to the task's attempt."""
    return await case.execute_update(
        CaseWorkflow.callback,
        CallbackInput(
            actor=Actor(role=Role.callback_agent, key_id="k_agent"),
            request_id=task.request_id,
            answer=answer,
            attempt=task.attempt,
        ),
    )


async def closed_state(db: Database, case: WorkflowHandle[CaseWorkflow, CaseState], seconds: float = 20) -> CaseState:
    """The case's state once it is closed. Its workflow runs on for a few days after the close,
    taking repeat submissions (config/merging.yaml, closed_within_days), so no result yet."""
    await wait_for_status(db, case.id.removeprefix("case-"), "closed", seconds)
    return await case.query(CaseWorkflow.status)
