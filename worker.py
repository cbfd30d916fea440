"""The Minsheng worker: runs case workflows and their activities on one task queue.

Workers are stateless (state lives in Temporal and the database): run as many as the load needs.
"""

from __future__ import annotations

import asyncio
import compileall
import signal
from pathlib import Path

import structlog
from temporalio.client import Client
from temporalio.worker import Worker

import workflows

from activities.case import CaseActivities
from minsheng.settings import Settings
from minsheng.temporal import connect
from persistence.db import Database
from workflows.case import CaseWorkflow

WORKFLOWS = [CaseWorkflow]
log = structlog.get_logger(__name__)


def compile_workflow_modules() -> None:
    """Write the workflow modules' bytecode. The sandbox executes a workflow's module afresh for
    every new workflow; without a .pyc (PYTHONDONTWRITEBYTECODE=1, common in containers) it
    compiles the source each time, which the profile showed as a tenth of the worker's CPU."""
    compileall.compile_dir(Path(workflows.__file__).parent, quiet=1)


def build_worker(client: Client, settings: Settings, db: Database) -> Worker:
    compile_workflow_modules()
    activities = CaseActivities(db, settings.reference, settings.timing)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            activities.classify_request,
            activities.compute_deadlines,
            activities.record_case_events,
            activities.open_callback_tasks,
        ],
        max_concurrent_activities=settings.worker_max_concurrent_activities,
        max_concurrent_local_activities=settings.worker_max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.worker_max_concurrent_workflow_tasks,
        max_cached_workflows=settings.worker_max_cached_workflows,
    )


async def run_worker(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM, then finish in-flight tasks and stop."""
    db = Database(settings.database_url, settings.db_pool_size)
    client = await connect(settings.temporal_address, settings.temporal_namespace)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    worker = build_worker(client, settings, db)
    log.info("worker started", task_queue=settings.task_queue, database=db.engine.dialect.name)
    try:
        async with worker:
            await stop.wait()
        log.info("worker stopped")
    finally:
        await db.close()
