"""``minsheng dev`` (what ``make run`` runs) keeps its stack up: a component that dies is started
again, and SIGTERM ends every process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.timeout(200)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> dict[str, int]:
    """The supervisor's children by role (temporal, worker, api)."""
    listed = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    found = {}
    for line in listed.splitlines():
        child, args = line.strip().split(" ", 1)
        role = "temporal" if "start-dev" in args else args.rsplit(" ", 1)[-1]
        found[role] = int(child)
    return found


def _replaced(supervisor: int, role: str, before: int) -> int | None:
    """The child now in ``role``, once it is another process than ``before``."""
    now = _children(supervisor).get(role)
    return now if now not in (None, before) else None


def _until[T](probe: Callable[[], T | None], seconds: float) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (value := probe()) is not None:
            return value
        time.sleep(0.5)
    raise AssertionError(f"not within {seconds} s")


@contextmanager
def dev_stack(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, int]]:
    api_port, ui_port = _free_port(), _free_port()
    env = os.environ | {
        "MINSHENG_VAR_DIR": str(tmp_path / "var"),
        "MINSHENG_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'var' / 'minsheng.db'}",
        "MINSHENG_TEMPORAL_ADDRESS": f"127.0.0.1:{_free_port()}",
        "MINSHENG_TEMPORAL_UI_PORT": str(ui_port),
        "MINSHENG_API_PORT": str(api_port),
        "MINSHENG_LOG_FORMAT": "json",
    }
    log = (tmp_path / "dev.log").open("wb")
    dev = subprocess.Popen([sys.executable, "-m", "minsheng", "dev"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        yield dev, f"http://127.0.0.1:{api_port}", ui_port
    finally:
        if dev.poll() is None:
            dev.kill()
            dev.wait()
        log.close()


def _healthy(url: str) -> bool | None:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200 or None
    except httpx.HTTPError:
        return None


def test_a_dead_worker_and_a_hung_api_are_started_again_and_sigterm_ends_it_all(tmp_path: Path) -> None:
    with dev_stack(tmp_path) as (dev, url, ui_port):
        # Cold start: migrations, the dev server, Schedules, keys, worker and API. Seen past 90 s
        # with three suites sharing two cores; 120 s leaves room without hiding a hang.
        _until(lambda: _healthy(url), 120)
        # The Web UI opens payloads through the API's codec, with a key that may.
        codec = httpx.get(f"http://127.0.0.1:{ui_port}/api/v1/settings", timeout=10).json()["Codec"]["Endpoint"]
        assert codec.startswith(f"{url}/codec/key/")
        assert httpx.post(f"{codec}/decode", json={"payloads": []}, timeout=10).json() == {"payloads": []}
        assert (tmp_path / "var" / "payload-keys.json").exists()
        first = _children(dev.pid)
        assert set(first) == {"temporal", "worker", "api"}, first

        os.kill(first["worker"], signal.SIGKILL)
        worker = _until(lambda: _replaced(dev.pid, "worker", first["worker"]), 30)
        assert worker != first["worker"] and _healthy(url)
        assert b"a component exited; starting it again" in (tmp_path / "dev.log").read_bytes()

        os.kill(first["api"], signal.SIGSTOP)  # alive, answering nothing
        api = _until(lambda: _replaced(dev.pid, "api", first["api"]), 60)
        _until(lambda: _healthy(url), 30)
        assert b"the API stopped answering" in (tmp_path / "dev.log").read_bytes()

        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=40) == 0
        for pid in (worker, api, first["api"], first["temporal"]):
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
