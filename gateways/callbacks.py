"""Callback gateways: where a callback visit (回访) is handed to be made.

- ``QueueGateway`` (default): the callback agents' queue. The visit's row is the queue entry
  (``GET /v1/callbacks?status=pending``); an agent calls the citizen and posts the answer
  (``POST /v1/callbacks/{id}``).
- ``WebhookGateway``: an outbound call or SMS system. The visit is POSTed as JSON. The system
  answers either at once (200 with ``{"answer": ..., "resolution": ...}``) or later, by posting to ``answer_url``
  with a callback agent's key (200/202 without an answer). 422 means it cannot dial the number:
  the visit is recorded unreachable and not retried. Anything else, or no answer within the
  timeout, is a failure that Temporal retries with backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

import httpx
from pydantic import BaseModel

from domain.case import CallbackAnswer, Resolution, VisitAnswer


class Handover(BaseModel):
    """What a gateway needs to make one attempt of a visit; the only place the phone travels."""

    callback_id: int
    case_id: str
    request_id: str
    unit: str | None
    round: int
    attempt: int
    citizen_name: str
    phone: str
    answer_url: str


class BadNumber(Exception):
    """The gateway cannot dial this number; trying again would not help."""


class CallbackGateway(Protocol):
    name: str

    async def hand_over(self, visit: Handover) -> VisitAnswer | None:
        """The answer if the gateway knows it at once; None when it will come through the API."""
        ...


class QueueGateway:
    name = "queue"

    async def hand_over(self, visit: Handover) -> VisitAnswer | None:
        return None  # the pending row is the agents' queue entry


class WebhookGateway:
    name = "webhook"

    def __init__(self, url: str, timeout: float = 120.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self.client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def hand_over(self, visit: Handover) -> VisitAnswer | None:
        response = await self.client.post(self.url, json=visit.model_dump())
        if response.status_code == 422:
            raise BadNumber(f"the callback system cannot dial this number: {response.text[:200]}")
        response.raise_for_status()
        if response.status_code == 200 and response.content:
            said = response.json()
            answer, resolution = said.get("answer"), said.get("resolution")
            if not answer:
                return None
            return VisitAnswer(answer=CallbackAnswer(answer), resolution=Resolution(resolution) if resolution else None)
        return None


async def with_heartbeats[T](work: asyncio.Task[T], beat: Callable[[], None], every: float = 5.0) -> T:
    """Wait for ``work``, calling ``beat()`` every few seconds: a worker that dies mid-wait is
    noticed within the heartbeat timeout instead of the whole start-to-close timeout."""
    while True:
        done, _ = await asyncio.wait({work}, timeout=every)
        if done:
            return work.result()
        beat()
