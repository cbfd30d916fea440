"""The bare engine: a minimal workflow that runs one activity, and its worker (run as a process)."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta

from temporalio import activity, workflow
from temporalio.worker import Worker

TASK_QUEUE = "bare"


@activity.defn
async def touch(value: str) -> str:
    return value


@workflow.defn
class BareWorkflow:
    @workflow.run
    async def run(self, value: str) -> str:
        return await workflow.execute_activity(touch, value, start_to_close_timeout=timedelta(seconds=30))


async def main() -> None:
    from minsheng.temporal import connect

    client = await connect(os.environ["MINSHENG_TEMPORAL_ADDRESS"])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    # The same concurrency settings as the Minsheng worker's defaults.
    async with Worker(
        client,
        task_queue=TASK_QUEUE,
        workflows=[BareWorkflow],
        activities=[touch],
        max_concurrent_activities=200,
        max_concurrent_workflow_tasks=200,
    ):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
