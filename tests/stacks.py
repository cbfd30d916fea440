"""The whole stack for end-to-end tests: a worker and the API on a free port, with a key per role."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import uvicorn
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.context import AppContext
from domain.case import Role
from minsheng.settings import Settings
from persistence.db import Database
from tests.helpers import Stack, free_port, make_key
from worker import build_worker

ROLES = [
    ("intake", Role.intake, None),
    ("dispatcher", Role.dispatcher, None),
    ("agent", Role.callback_agent, None),
    ("auditor", Role.auditor, None),
    ("leader", Role.leader, None),
    ("hrss", Role.unit, "hrss_bureau"),
    ("yatou", Role.unit, "yatou"),
    ("police", Role.unit, "public_security_bureau"),
    ("market", Role.unit, "market_regulation_bureau"),
]
"""The stack's keys: one per role, and four units' (hrss_bureau takes the tests' wage cases)."""


@asynccontextmanager
async def running_stack(env: WorkflowEnvironment, db: Database, settings: Settings) -> AsyncIterator[Stack]:
    """A worker and the API on a free port, with a key for each of ``ROLES``."""
    keys = {}
    for name, role, unit in ROLES:
        keys[name] = {"Authorization": f"Bearer {(await make_key(db, role, unit))[1]}"}
    app = create_app(settings, AppContext(settings, db, env.client, settings.reference))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    async with build_worker(env.client, settings, db):
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            yield Stack(http, env, keys)
        server.should_exit = True
        await serving
