"""What the benchmarks share: the machine they ran on, a dev server of their own, result files."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.client import Client

from domain.case import Role
from minsheng.dev import temporal_binary
from minsheng.settings import Settings
from minsheng.setup import migrate
from minsheng.temporal import connect, ensure_search_attributes
from persistence import keys
from persistence.db import Database

RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 2**20, 1),
        "python": platform.python_version(),
        "temporal_cli": subprocess.run([temporal_binary(), "--version"], capture_output=True, text=True).stdout.strip(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return round(total / 1024, 1)


def cpu_seconds(pid: int, children: bool = True) -> float:
    """CPU time (user + system) a process (and its living children) has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in [pid, *(_children(pid) if children else [])]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return total / ticks


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return found + [g for c in found for g in _children(c)]


@dataclass
class DevServer:
    address: str
    process: subprocess.Popen[bytes]
    folder: Path
    ui_port: int

    async def client(self) -> Client:
        return await connect(self.address)

    def kill(self) -> None:
        """As a crash would: SIGKILL, nothing flushed beyond what SQLite has committed."""
        self.process.kill()
        self.process.wait()

    async def start_again(self) -> None:
        """On the same port and SQLite file: it carries on where the killed one stopped."""
        self.process = await _start(self.folder, self.address, self.ui_port)


async def _start(folder: Path, address: str, ui_port: int) -> subprocess.Popen[bytes]:
    host, _, port = address.rpartition(":")
    process = subprocess.Popen(
        [
            temporal_binary(),
            "server",
            "start-dev",
            "--headless",
            "--db-filename",
            str(folder / "temporal.db"),
            "--ip",
            host,
            "--port",
            port,
            "--ui-port",
            str(ui_port),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--log-level",
            "error",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            await ensure_search_attributes(await connect(address))
            break
        except Exception:  # noqa: BLE001  (still starting)
            await asyncio.sleep(0.1)
    return process


@asynccontextmanager
async def dev_server() -> AsyncIterator[DevServer]:
    """The embedded default as `make run` runs it: the dev server on a SQLite file in WAL mode."""
    folder = Path(tempfile.mkdtemp(prefix="minsheng-bench-"))
    address, ui_port = f"127.0.0.1:{free_port()}", free_port()
    server = DevServer(address, await _start(folder, address, ui_port), folder, ui_port)
    try:
        yield server
    finally:
        server.process.terminate()
        server.process.wait()


@dataclass
class AppSetup:
    """Minsheng's side of a benchmark on ``server``: the environment its processes run with, the
    settings it makes, the migrated app database, an intake key and the API's address."""

    env: dict[str, str]
    settings: Settings
    db: Database
    intake_key: str
    api: str


async def app_setup(
    server: DevServer, database_url: str | None = None, extra: dict[str, str] | None = None
) -> AppSetup:
    api_port = free_port()
    env = (extra or {}) | {
        "MINSHENG_TEMPORAL_ADDRESS": server.address,
        "MINSHENG_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{server.folder / 'minsheng.db'}",
        "MINSHENG_API_PORT": str(api_port),
        "MINSHENG_LOG_FORMAT": "json",
    }
    settings = Settings(**{k.removeprefix("MINSHENG_").lower(): v for k, v in env.items()})
    await migrate(settings)
    db = Database(settings.database_url)
    now = datetime.now(UTC)
    key = (await db.write(lambda s: keys.add_api_key(s, Role.intake, None, "bench", now)))[1]
    return AppSetup(env, settings, db, key, f"http://127.0.0.1:{api_port}")


def spawn(module_args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *module_args], env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def write_result(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **figures}, indent=2, ensure_ascii=False))
    return path


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
