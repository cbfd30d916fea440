"""The deliveries on a task queue of their own (MINSHENG_DELIVERY_TASK_QUEUE), served by a worker of
their own: a delivery started on the cases' queue before the setting is moved there, and a case's
events still reach the subscriber."""

from __future__ import annotations

from datetime import UTC, datetime

from temporalio.testing import WorkflowEnvironment

from gateways.events import delivery_workflow_id, start_delivery
from minsheng.settings import Settings
from persistence import subscriptions
from persistence.db import Database
from tests.helpers import Receiver, eventually, submit
from worker import build_delivery_worker, build_worker


async def test_a_delivery_worker_of_its_own_delivers_the_events(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    client, now = dev_env.client, datetime.now(UTC)
    async with Receiver() as receiver:
        subscription = await db.write(
            lambda s: subscriptions.add_subscription(s, receiver.url, ["dispatched"], None, "k_test", None, 0, now)
        )
        await start_delivery(client, settings, subscription.id)  # before the setting: on the cases' queue
        settings.delivery_task_queue = f"{settings.task_queue}-deliveries"
        async with build_worker(client, settings, db), build_delivery_worker(client, settings, db):
            await start_delivery(client, settings, subscription.id)  # what a worker does when it starts
            case_id = (await submit(db, client, settings)).case_id
            await eventually(lambda: _got(receiver, case_id))
            described = await client.get_workflow_handle(
                delivery_workflow_id(subscription.id, settings.task_queue)
            ).describe()
    assert described.task_queue == settings.delivery_task_queue


async def _got(receiver: Receiver, case_id: str) -> bool:
    return [e["kind"] for e in receiver.events_of(case_id)] == ["dispatched"]
