"""A case's workflow histories, wherever they are: every run from Temporal while it holds them,
else from the archive store (each object's hash checked against the one recorded at archiving).
Shared by the archive's activities, ``minsheng replay``, the audit's verify and the case file."""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError, RPCStatusCode

from gateways.storage import ObjectStore, content_hash
from minsheng.temporal import case_workflow_id
from persistence import archive
from persistence.db import Database

ARCHIVE_PREFIX = "archive/cases"
TEMPORAL = "Temporal"
ARCHIVE = "the archive"


def run_key(case_id: str, ordinal: int, run_id: str) -> str:
    return f"{ARCHIVE_PREFIX}/{case_id}/{ordinal:03d}-{run_id}.json.gz"


def pack(history: WorkflowHistory) -> bytes:
    """The history as Temporal's JSON, gzipped with no time stamp: the same history gives the same
    bytes, so an export repeated after a crash writes the same object."""
    return gzip.compress(history.to_json().encode(), mtime=0)


def unpack(workflow_id: str, data: bytes) -> WorkflowHistory:
    return WorkflowHistory.from_json(workflow_id, gzip.decompress(data).decode())


@dataclass(frozen=True)
class Run:
    run_id: str
    history: WorkflowHistory
    started_at: datetime
    closed_at: datetime | None


async def temporal_runs(client: Client, workflow_id: str) -> list[Run]:
    """Every run of the workflow, oldest first: each run's first event names the run it continued.
    Raises ``RPCError`` (NOT_FOUND) when Temporal no longer has it."""
    runs: list[Run] = []
    run_id: str | None = (await client.get_workflow_handle(workflow_id).describe()).run_id
    while run_id:
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        history, described = await handle.fetch_history(), await handle.describe()
        runs.append(Run(run_id, history, described.start_time, described.close_time))
        started = history.events[0].workflow_execution_started_event_attributes
        run_id = started.continued_execution_run_id or None
    return runs[::-1]


class ArchiveDamaged(ValueError):
    pass


async def archived_histories(db: Database, store: ObjectStore, case_id: str) -> list[WorkflowHistory]:
    """The case's archived runs, oldest first; [] if it was never archived. Raises if an object is
    missing or is not the one archived (its hash differs from the one recorded)."""
    async with db.session() as session:
        runs = await archive.archived_runs(session, case_id)
    histories = []
    for run in runs:
        data = await store.get(run.key)
        if (found := content_hash(data)) != run.sha256:
            raise ArchiveDamaged(f"{run.key}: sha256 {found}, archived as {run.sha256}")
        histories.append(unpack(case_workflow_id(case_id), data))
    return histories


async def case_histories(
    client: Client, case_id: str, archived: Callable[[str], Awaitable[list[WorkflowHistory]]]
) -> tuple[str, list[WorkflowHistory]]:
    """Where the case's history was found (``TEMPORAL`` or ``ARCHIVE``) and its runs, oldest
    first; ("", []) when neither has it. ``archived`` (``archived_histories`` on a database and a
    store) is asked only when Temporal no longer has the case."""
    try:
        return TEMPORAL, [r.history for r in await temporal_runs(client, case_workflow_id(case_id))]
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    histories = await archived(case_id)
    return (ARCHIVE, histories) if histories else ("", [])


def history_lookup(
    client: Client, db: Database, store: ObjectStore
) -> Callable[[str], Awaitable[tuple[str, list[WorkflowHistory]]]]:
    """``case_histories`` over this Temporal, database and store: what verify and the case file use."""

    async def archived(case_id: str) -> list[WorkflowHistory]:
        return await archived_histories(db, store, case_id)

    async def lookup(case_id: str) -> tuple[str, list[WorkflowHistory]]:
        return await case_histories(client, case_id, archived)

    return lookup
