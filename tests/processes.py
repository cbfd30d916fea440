"""Processes the tests start and kill: a worker of its own, as production runs it, and the
Temporal dev server as ``make run`` starts it, on a SQLite file that outlives the process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from minsheng.dev import dev_server_command, wait_for_temporal
from minsheng.settings import Settings
from tests.helpers import ROOT


async def start_dev_server(settings: Settings) -> subprocess.Popen[bytes]:
    """The dev server at ``settings.temporal_address``, on ``var_dir``'s SQLite file: started
    again on the same file, it carries on where the last one stopped."""
    settings.var_dir.mkdir(exist_ok=True)
    process = subprocess.Popen(dev_server_command(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    await wait_for_temporal(settings, process)
    return process


@asynccontextmanager
async def dev_server(settings: Settings) -> AsyncIterator[subprocess.Popen[bytes]]:
    process = await start_dev_server(settings)
    try:
        yield process
    finally:
        process.terminate()
        process.wait()


def spawn_worker(address: str, settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """``minsheng worker`` with the test's settings, logging to ``log``."""
    environment = os.environ | {
        "MINSHENG_TEMPORAL_ADDRESS": address,
        "MINSHENG_DATABASE_URL": settings.database_url,
        "MINSHENG_TASK_QUEUE": settings.task_queue,
        "MINSHENG_CONFIG_DIR": str(settings.config_dir),
        "MINSHENG_LOG_FORMAT": "json",
        "MINSHENG_HANDOFF_GRACE_SECONDS": str(settings.handoff_grace_seconds),
        "MINSHENG_RECONCILE_INTERVAL_SECONDS": str(settings.reconcile_interval_seconds),
        "MINSHENG_EVENTS_HEARTBEAT_SECONDS": str(settings.events_heartbeat_seconds),
        "MINSHENG_EVENTS_RETRY_MAX_SECONDS": str(settings.events_retry_max_seconds),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "minsheng", "worker"], env=environment, cwd=ROOT, stdout=out, stderr=out
        )


@contextmanager
def worker_process(address: str, settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = spawn_worker(address, settings, log)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
