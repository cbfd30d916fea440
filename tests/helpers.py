"""Small helpers the tests share."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import secrets
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import boto3
import httpx
import uvicorn
from fastapi import FastAPI
from PIL import Image
from sqlalchemy.engine import make_url
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from domain.case import (
    Actor,
    CallbackAnswer,
    CallbackInput,
    CaseState,
    DispatchInput,
    Resolution,
    Role,
)
from domain.reference import Tier
from domain.request import Citizen, Location, NewRequest
from gateways.cases import CaseGateway
from minsheng.settings import Settings
from minsheng.temporal import case_id_of, case_workflow_id
from persistence import cases, intake, keys
from persistence.cases import CaseFile
from persistence.db import Database
from persistence.models import CallbackRow, CaseRow, RequestRow, SlipRow
from services.intake import Submitted, submit_request
from workflows.case import CaseWorkflow

WAGES = "公司拖欠工资三个月不发，老板联系不上"
UNCLEAR = "我想咨询一下这个事情怎么办"
GAS = "楼道里煤气味很重，怀疑燃气泄漏"


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


async def wechat_case(db: Database, at: datetime) -> CaseState:
    """Case C1 with its one request R1 (from WeChat) in the read model, and its state: for tests of
    the writes that follow, without a workflow."""
    request = RequestRow(
        id="R1",
        case_id="C1",
        channel="wechat",
        channel_ref="wx-1",
        citizen_name="李四",
        citizen_phone="13900000000",
        content="拖欠工资",
        address="崖头",
        received_at=at,
        intake_key_id="k_test",
    )
    case = CaseRow(id="C1", status="received", channel="wechat", received_at=at, updated_at=at)
    await db.write(lambda session: intake.add_intake(session, case, request))
    return CaseState(case_id="C1", channel="wechat", received_at=at, requests=["R1"])


async def case_file(db: Database, case_id: str) -> CaseFile:
    async with db.session() as session:
        found = await cases.get_case(session, case_id)
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
    return client.get_workflow_handle_for(CaseWorkflow.run, case_workflow_id(case_id))


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
    case: WorkflowHandle[CaseWorkflow, CaseState],
    task: CallbackRow,
    answer: CallbackAnswer,
    resolution: Resolution | None = None,
) -> CaseState:
    """What ``POST /v1/callbacks/{id}`` does: the agent's answers to the task's attempt."""
    return await case.execute_update(
        CaseWorkflow.callback,
        CallbackInput(
            actor=Actor(role=Role.callback_agent, key_id="k_agent"),
            request_id=task.request_id,
            answer=answer,
            resolution=resolution,
            attempt=task.attempt,
        ),
    )


async def closed_state(db: Database, case: WorkflowHandle[CaseWorkflow, CaseState], seconds: float = 20) -> CaseState:
    """The case's state once it is closed. Its workflow runs on for a few days after the close,
    taking repeat submissions (config/merging.yaml, closed_within_days), so no result yet."""
    case_id = case_id_of(case.id)
    assert case_id is not None
    await wait_for_status(db, case_id, "closed", seconds)
    return await case.query(CaseWorkflow.status)


ROOT = Path(__file__).resolve().parent.parent


async def make_key(db: Database, role: Role, unit: str | None = None) -> tuple[str, str]:
    now = datetime.now(UTC)
    return await db.write(lambda s: keys.add_api_key(s, role, unit, "test", now))


HISTORIES = Path(__file__).parent / "histories"


def body(**overrides: object) -> dict:
    return {
        "channel": "hotline_12345",
        "channel_ref": "HL-20261124-0001",
        "citizen": {"name": "王五", "phone": "13700000000"},
        "content": WAGES,
        "address": "崖头街道成山大道100号",
        "location": somewhere().model_dump(),
        "grid": "YT-03-12",
    } | overrides


async def record_history(client: Client, workflow_id: str, name: str, run_id: str | None = None) -> None:
    """With MINSHENG_RECORD_HISTORIES=1, keep this workflow's history (its latest run, or ``run_id``)
    for the replay tests. A recorded history is never overwritten: it stands for the code it ran
    on; record new ones by new names."""
    if os.environ.get("MINSHENG_RECORD_HISTORIES") and not (HISTORIES / f"{name}.json").exists():
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())


async def dispatched_case(env: WorkflowEnvironment, db: Database, settings: Settings, tier: Tier) -> str:
    """An unclear request, dispatched by hand to the labour bureau with ``tier``."""
    submitted = await submit(db, env.client, settings, new_request(UNCLEAR))
    await wait_for_event(db, submitted.case_id, "classified")
    await handle(env.client, submitted.case_id).execute_update(
        CaseWorkflow.dispatch,
        DispatchInput(actor=DISPATCHER, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=tier),
    )
    await wait_for_event(db, submitted.case_id, "deadlines")
    return submitted.case_id


async def slips(db: Database, case_id: str) -> list[tuple[int, str, str]]:
    async with db.session() as session:
        rows = (
            await session.exec(SlipRow.__table__.select().where(SlipRow.case_id == case_id).order_by(SlipRow.issued_at))
        ).all()  # type: ignore[attr-defined]
    return [(r.round, r.kind, r.trigger) for r in rows]


DISPATCHER = Actor(role=Role.dispatcher, key_id="k_disp")


@dataclass
class Stack:
    http: httpx.AsyncClient
    env: WorkflowEnvironment
    keys: dict[str, dict[str, str]]

    async def call(self, method: str, path: str, as_: str, **kw: object) -> httpx.Response:
        return await self.http.request(method, path, headers=self.keys[as_], **kw)  # type: ignore[arg-type]

    async def case_when(self, case_id: str, status: str, seconds: float = 30) -> dict:
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            body = (await self.call("GET", f"/v1/cases/{case_id}", "auditor")).json()
            if body["status"] == status:
                return body
            assert asyncio.get_running_loop().time() < deadline, f"case is {body['status']}, not {status}"
            await asyncio.sleep(0.05)


SHANGHAI = ZoneInfo("Asia/Shanghai")


@asynccontextmanager
async def in_process(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the app in this process, its lifespan run as a server would."""
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://api")
    async with app.router.lifespan_context(app), client:
        yield client


@dataclass
class Delivery:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class Receiver:
    """A subscriber's webhook: a real HTTP server on a free port that keeps every delivery it was
    sent (with the status it answered) and answers ``status`` (503: down); ``delay`` holds each
    answer back, so that a test can act while a delivery is in flight."""

    def __init__(self, status: int = 200, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.deliveries: list[Delivery] = []
        self.in_flight = 0
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/hook"
        self.server = uvicorn.Server(
            uvicorn.Config(self._app, host="127.0.0.1", port=port, log_config=None, interface="asgi3")
        )

    async def _app(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = self.status
        self.in_flight += 1
        self.deliveries.append(Delivery({k.decode(): v.decode() for k, v in scope["headers"]}, body, status))
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def taken(self) -> list[Delivery]:
        return [d for d in self.deliveries if d.status < 300]

    def events_of(self, case_id: str) -> list[dict]:
        """The case's events it took, first deliveries only (repeats dropped by id), in arrival order."""
        seen: dict[str, dict] = {}
        for d in self.taken():
            event = d.event
            if event["case_id"] == case_id:
                seen.setdefault(event["id"], event)
        return list(seen.values())

    async def __aenter__(self) -> Receiver:
        self.serving = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.should_exit = True
        await self.serving


def s3_settings(endpoint: str, bucket: str, **overrides: Any) -> Settings:
    """Settings whose object store is ``bucket`` of the S3-compatible store at ``endpoint``."""
    return Settings(
        config_dir=ROOT / "config",
        storage_url=f"s3://{bucket}/minsheng",
        storage_endpoint_url=endpoint,
        storage_region="us-east-1",
        storage_access_key="test",
        storage_secret_key="test",  # type: ignore[arg-type]
        **overrides,
    )


def s3_bucket(endpoint: str, bucket: str) -> Any:
    """A new bucket in the store at ``endpoint``; its boto3 client, to look behind the store's back."""
    s3 = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    )
    s3.create_bucket(Bucket=bucket)
    return s3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pdf_tool(tool: str, pdf: bytes, *args: str) -> str:
    """What a poppler tool (pdftotext, pdffonts, pdfinfo) reads in a PDF, as a reader would."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(
            [tool, *args, f.name, *(["-"] if tool == "pdftotext" else [])], capture_output=True, text=True, check=True
        ).stdout


def assert_embedded_cjk_font(pdf: bytes) -> None:
    """The document carries its Chinese font (a subset of Noto Serif CJK SC): no reader supplies it."""
    fonts = [line.split() for line in pdf_tool("pdffonts", pdf).splitlines()[2:]]
    assert fonts and all("Noto-Serif-CJK-SC" in f[0] for f in fonts), fonts
    assert all(f[-5:-2] == ["yes", "yes", "yes"] for f in fonts), f"not embedded: {fonts}"  # emb, sub, uni


GPS, MAKE, MODEL, ORIENTATION = 0x8825, 0x010F, 0x0110, 0x0112
"""EXIF tags: the GPS block, the device's make and model, the orientation."""


def photo(width: int = 40, height: int = 20, orientation: int = 1, fmt: str = "JPEG") -> bytes:
    """A picture as a phone sends it: the device and the place in its EXIF, an XMP packet, a
    comment, and an orientation. Left half red, right half blue."""
    image = Image.new("RGB", (width, height), "red")
    image.paste((0, 0, 255), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "Huawei", "P60 Pro", orientation
    exif[GPS] = {1: "N", 2: (37.0, 9.0, 54.0), 3: "E", 4: (122.0, 29.0, 9.6)}
    out = io.BytesIO()
    extra = {"comment": b"shot at home"} if fmt == "JPEG" else {}
    image.save(out, format=fmt, exif=exif, xmp=b"<x:xmpmeta>GPS 37.165 122.486</x:xmpmeta>", **extra)
    return out.getvalue()


PG_URL = os.environ.get("MINSHENG_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


async def _admin(sql: str) -> None:
    """Run one statement on the server's admin database (the one in MINSHENG_TEST_PG_URL)."""
    admin = make_url(PG_URL)
    conn = await asyncpg.connect(
        user=admin.username,
        password=admin.password,
        host=admin.host,
        port=admin.port or 5432,
        database=admin.database,
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """An empty PostgreSQL database beside MINSHENG_TEST_PG_URL's, dropped afterwards: its URL."""
    name = f"minsheng_t_{secrets.token_hex(4)}"
    await _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
