"""The event subscriptions' delivery workflows as the rest of Minsheng starts them: by name, like
``gateways/cases.py`` (the workflow runs activities below this layer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from domain.events import EventDelivery
from minsheng.settings import Settings
from persistence import outbox, subscriptions
from persistence.db import Database

EVENT_DELIVERY_WORKFLOW = "EventDeliveryWorkflow"


def delivery_workflow_id(subscription_id: str) -> str:
    return f"event-delivery-{subscription_id}"


async def start_delivery(client: Client, settings: Settings, subscription_id: str) -> None:
    """Start the subscription's delivery, unless it runs already."""
    await client.start_workflow(
        EVENT_DELIVERY_WORKFLOW,
        EventDelivery(
            subscription_id=subscription_id,
            retry_max_seconds=settings.events_retry_max_seconds,
            heartbeat_seconds=settings.events_heartbeat_seconds,
        ),
        id=delivery_workflow_id(subscription_id),
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )


async def start_all_deliveries(client: Client, settings: Settings, db: Database) -> int:
    """Every active subscription's delivery, started where it is not running (at a worker's start)."""
    async with db.session() as session:
        ids = await subscriptions.active_subscription_ids(session)
    for subscription_id in ids:
        await start_delivery(client, settings, subscription_id)
    return len(ids)


async def publish_waiting(db: Database, order_wait: timedelta) -> int:
    """Give the waiting events their positions (a read first, so an idle poll writes nothing):
    done by each subscription's delivery and by each live stream, whichever looks first."""
    async with db.session() as session:
        if not await outbox.has_unpublished(session):
            return 0
    return await db.write(lambda s: outbox.publish_events(s, datetime.now(UTC), order_wait))
