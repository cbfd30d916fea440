"""The whole stack for end-to-end tests: the dev server, a worker and the API on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from minsheng.settings import Settings
from persistence.db import Database
from tests.helpers import Stack
from tests.stacks import running_stack


@pytest.fixture
async def stack(dev_env: WorkflowEnvironment, db: Database, settings: Settings) -> AsyncIterator[Stack]:
    async with running_stack(dev_env, db, settings) as running:
        yield running
