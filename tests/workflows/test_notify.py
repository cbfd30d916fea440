"""Delivering the notification outbox: each pending notification once, failures retried."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from domain.case import SYSTEM, CaseRequestRef, DispatchInput, SlipTrigger
from domain.deadlines import Deadlines
from domain.events import verify
from domain.reference import Tier
from gateways.events import NOTIFICATIONS, start_delivery
from gateways.notify import WebhookNotifier, deliver_pending
from minsheng.settings import Settings
from persistence import cases, outbox
from persistence.db import Database
from persistence.models import OutboxRow
from tests.helpers import Receiver, eventually, wechat_case
from worker import build_worker

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


async def _slipped_case(db: Database) -> None:
    state = await wechat_case(db, T0)
    state.receive(
        CaseRequestRef(request_id="R1", channel="wechat", content="x", address="崖头", received_at=T0, actor=SYSTEM)
    )
    state.dispatch(
        T0, DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.red)
    )
    state.set_deadlines(T0, Deadlines(accept_by=T0, remind_at=T0, due_at=T0, warn_at=T0))
    event = state.slip(T0, SlipTrigger.deadline)
    for _ in range(2):  # the second: a retried write
        await db.write(lambda s: cases.record_case_events(s, state, [event], T0))


class Collect:
    def __init__(self, fail_after: int | None = None) -> None:
        self.sent: list[OutboxRow] = []
        self.fail_after = fail_after

    async def send(self, item: OutboxRow) -> None:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionError("gateway down")
        self.sent.append(item)


async def test_a_supervision_slip_reaches_the_unit_leadership_and_the_record_once(db: Database) -> None:
    await _slipped_case(db)
    flaky = Collect(fail_after=1)
    assert await deliver_pending(db, flaky) == 1
    steady = Collect()
    assert await deliver_pending(db, steady) == 2
    assert await deliver_pending(db, steady) == 0
    recipients = sorted(n.recipient for n in [*flaky.sent, *steady.sent])
    assert recipients == ["city_leadership", "discipline_commission", "hrss_bureau"]
    assert all(n.body["kind"] == "supervision" and n.body["case_id"] == "C1" for n in steady.sent)


async def test_the_webhook_notifier_posts_json_and_retries_on_an_error(db: Database) -> None:
    await _slipped_case(db)
    received: list[dict] = []
    answers = iter([503, 200, 200, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 200:
            received.append(json.loads(request.content))
        return httpx.Response(status)

    notifier = WebhookNotifier("http://notify.invalid/hook", transport=httpx.MockTransport(handler))
    assert await deliver_pending(db, notifier) == 0
    assert await deliver_pending(db, notifier) == 3
    assert {r["recipient"] for r in received} == {"hrss_bureau", "city_leadership", "discipline_commission"}
    assert all(r["dedupe_key"] == "slip:C1:1:deadline" for r in received)


async def test_a_slips_deliveries_are_recorded_one_per_recipient(db: Database) -> None:
    await _slipped_case(db)
    await deliver_pending(db, Collect(fail_after=1))
    await deliver_pending(db, Collect())
    async with db.session() as session:
        records = await outbox.deliveries_of_case(session, "C1")
    assert sorted((d.recipient, d.kind, d.outcome, d.attempts) for d in records) == [
        ("city_leadership", "supervision", "delivered", 2),
        ("discipline_commission", "supervision", "delivered", 1),
        ("hrss_bureau", "supervision", "delivered", 1),
    ]


async def test_the_worker_delivers_notifications_durably_and_signed(
    dev_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    async with Receiver(status=503) as hook:
        settings.notify_webhook_url, settings.notify_webhook_secret = hook.url, SecretStr("notify-secret")
        settings.events_retry_max_seconds = 1
        await _slipped_case(db)
        async with build_worker(dev_env.client, settings, db):
            await start_delivery(dev_env.client, settings, NOTIFICATIONS)
            await eventually(lambda: _refused(hook))  # down: retried with backoff
            hook.status = 200
            await eventually(lambda: _taken(hook, 3))
    delivered = hook.taken()
    assert {json.loads(d.body)["recipient"] for d in delivered} == {
        "hrss_bureau",
        "city_leadership",
        "discipline_commission",
    }
    first = delivered[0]
    timestamp = int(first.headers["minsheng-timestamp"])
    assert verify("notify-secret", timestamp, first.body, first.headers["minsheng-signature"], timestamp)


async def _refused(hook: Receiver) -> bool:
    return any(d.status == 503 for d in hook.deliveries)


async def _taken(hook: Receiver, count: int) -> bool:
    return len(hook.taken()) >= count
