"""The outbox's durable deliveries as the rest of Minsheng starts them: each event subscription's,
and the texts to citizens. By name, like ``gateways/cases.py`` (the workflow runs activities
above this layer)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Literal

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError

from domain.events import Delivery
from minsheng.settings import Settings
from persistence import outbox, subscriptions
from persistence.db import Database

DELIVERY_WORKFLOW = "DeliveryWorkflow"
TEXTS = "texts"
NOTIFICATIONS = "notifications"
"""The targets of the texts' and the notifications' deliveries (a subscription's id starts with ``sub_``)."""
ACTIVITIES: dict[str, Literal["deliver_texts", "deliver_notifications"]] = {
    TEXTS: "deliver_texts",
    NOTIFICATIONS: "deliver_notifications",
}


def delivery_workflow_id(target: str, task_queue: str) -> str:
    """A subscription's id is unique; the texts' and the notifications' deliveries are one per task
    queue (one Minsheng)."""
    if target in ACTIVITIES:
        return f"{target.removesuffix('s')}-delivery-{task_queue}"
    return f"event-delivery-{target}"


async def start_delivery(client: Client, settings: Settings, target: str) -> None:
    """Start the delivery to ``target`` (a subscription's id, ``texts``, ``notifications``), unless it
    runs already; one running on another task queue than the deliveries' (the setting changed) is
    stopped and started again on theirs, from what was recorded (as after a crash)."""
    queue = settings.delivery_task_queue or settings.task_queue
    handle = client.get_workflow_handle(delivery_workflow_id(target, settings.task_queue))
    with contextlib.suppress(RPCError):  # none yet
        running = await handle.describe()
        if running.status is WorkflowExecutionStatus.RUNNING and running.task_queue != queue:
            await handle.terminate(f"moved to the task queue {queue}")
    await client.start_workflow(
        DELIVERY_WORKFLOW,
        Delivery(
            target=target,
            activity=ACTIVITIES.get(target, "deliver_events"),
            retry_max_seconds=settings.events_retry_max_seconds,
            heartbeat_seconds=settings.events_heartbeat_seconds,
        ),
        id=delivery_workflow_id(target, settings.task_queue),
        task_queue=queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )


async def start_all_deliveries(client: Client, settings: Settings, db: Database) -> int:
    """The notifications', the texts' and every active subscription's deliveries, started where not
    running (at a worker's start)."""
    async with db.session() as session:
        targets = [NOTIFICATIONS, TEXTS, *await subscriptions.active_subscription_ids(session)]
    for target in targets:
        await start_delivery(client, settings, target)
    return len(targets)


async def publish_waiting(db: Database, order_wait: timedelta) -> int:
    """Give the waiting events their positions (a read first, so an idle poll writes nothing):
    done by each subscription's delivery and by each live stream, whichever looks first."""
    async with db.session() as session:
        if not await outbox.has_unpublished(session):
            return 0
    return await db.write(lambda s: outbox.publish_events(s, datetime.now(UTC), order_wait))
