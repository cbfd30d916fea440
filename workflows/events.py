"""``EventDeliveryWorkflow``: one per event subscription, id ``event-delivery-<subscription id>``,
started when the subscription is made (and by every worker at start-up, for any not running).

It runs delivery rounds (``activities/events.py``) one after the other until the subscription is
cancelled. A round that fails (the subscriber refused an event, or did not answer) is retried by
Temporal with backoff, doubling from one second to ``retry_max_seconds``, without end: a
subscriber that was down gets everything it missed, in order. A round heartbeats, so a worker
killed mid-delivery loses nothing: the round is taken over by another worker from the cursor.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.events import EventActivities
    from domain.events import EventDelivery

ROUNDS_PER_RUN = 200
"""Rounds before the workflow continues as new, so that its history stays short."""


@workflow.defn
class EventDeliveryWorkflow:
    @workflow.run
    async def run(self, inp: EventDelivery) -> None:
        retry = RetryPolicy(
            initial_interval=timedelta(seconds=1),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=inp.retry_max_seconds),
            maximum_attempts=0,
        )
        for _ in range(ROUNDS_PER_RUN):
            done = await workflow.execute_activity_method(
                EventActivities.deliver_events,
                inp,
                start_to_close_timeout=timedelta(seconds=inp.round_seconds * 2 + 60),
                heartbeat_timeout=timedelta(seconds=inp.heartbeat_seconds),
                retry_policy=retry,
            )
            if not done.active:
                return
        workflow.continue_as_new(inp)
