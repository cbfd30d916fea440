"""Processes the tests start and kill: a worker of its own, as production runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from minsheng.settings import Settings
from tests.helpers import ROOT


@contextmanager
def worker_process(address: str, settings: Settings, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    environment = os.environ | {
        "MINSHENG_TEMPORAL_ADDRESS": address,
        "MINSHENG_DATABASE_URL": settings.database_url,
        "MINSHENG_TASK_QUEUE": settings.task_queue,
        "MINSHENG_CONFIG_DIR": str(settings.config_dir),
        "MINSHENG_LOG_FORMAT": "json",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "minsheng", "worker"], env=environment, cwd=ROOT, stdout=out, stderr=out
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def kill(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
