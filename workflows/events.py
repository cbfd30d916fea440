"""``DeliveryWorkflow``: a durable delivery from the outbox. One per event subscription, id
``event-delivery-<subscription id>``, started when the subscription is made; and one for the texts
to citizens, id ``text-delivery``. Every worker starts those not running when it starts.

It runs delivery rounds (``activities/events.py``: the activity its input names) one after the
other until the subscription is cancelled. A round that fails (the receiver refused a delivery, or
did not answer) is retried by Temporal with backoff, doubling from one second to
``retry_max_seconds``, without end: a receiver that was down gets everything it missed, in order.
A round heartbeats, so a worker killed mid-delivery loses nothing: another worker takes the round
over from what was recorded.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from domain.events import Delivery, DeliveryRound

ROUNDS_PER_RUN = 200
"""Rounds before the workflow continues as new, so that its history stays short."""


@workflow.defn
class DeliveryWorkflow:
    @workflow.run
    async def run(self, inp: Delivery) -> None:
        retry = RetryPolicy(
            initial_interval=timedelta(seconds=1),
            backoff_coefficient=2.0,
            maximum_interval=timedelta(seconds=inp.retry_max_seconds),
            maximum_attempts=0,
        )
        for _ in range(ROUNDS_PER_RUN):
            done = await workflow.execute_activity(
                inp.activity,
                inp,
                result_type=DeliveryRound,
                start_to_close_timeout=timedelta(seconds=inp.round_seconds * 2 + 60),
                heartbeat_timeout=timedelta(seconds=inp.heartbeat_seconds),
                retry_policy=retry,
            )
            if not done.active:
                return
        workflow.continue_as_new(inp)
