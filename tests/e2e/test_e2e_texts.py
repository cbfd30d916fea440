"""Texts to the citizen through the SMS platform's webhook: the acknowledgement with the request
number, the unit's reply, the notice before the callback; none for a channel that answers its
citizens itself or a phone that opted out; held in the quiet hours."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from datetime import time

import pytest
from pydantic import SecretStr

from domain.texts import QuietHours
from gateways.events import TEXTS, start_delivery
from minsheng.settings import Settings
from persistence.db import Database
from persistence.models import OutboxRow
from tests.helpers import Receiver, Stack, body, eventually

pytestmark = pytest.mark.timeout(120)
SECRET = "sms-secret"


@pytest.fixture
async def platform() -> AsyncIterator[Receiver]:
    async with Receiver() as receiver:
        yield receiver


@pytest.fixture
def texting(settings: Settings, platform: Receiver, request: pytest.FixtureRequest) -> None:
    """The SMS platform at ``platform``; quiet hours all day long, or none (set before the worker is built)."""
    settings.sms_webhook_url, settings.sms_webhook_secret = platform.url, SecretStr(SECRET)
    quiet = QuietHours(start=time(0), end=time(23, 59, 59)) if getattr(request, "param", None) == "quiet" else None
    settings.__dict__["text_policy"] = settings.text_policy.model_copy(update={"quiet_hours": quiet})


def texts_to(platform: Receiver, phone: str) -> list[dict]:
    return [d.event for d in platform.taken() if d.event["to"] == phone]


@pytest.mark.usefixtures("texting")
async def test_the_citizen_is_told_of_intake_the_reply_and_the_callback(
    stack: Stack, settings: Settings, platform: Receiver
) -> None:
    await start_delivery(stack.env.client, settings, TEXTS)
    await stack.call("POST", "/v1/texts/opt-outs", "intake", json={"phone": "13900000002"})
    app = body(channel="wechat", channel_ref="TX-0", citizen={"name": "赵六", "phone": "13900000001"})
    await stack.call("POST", "/v1/requests", "intake", json=app)
    quiet = body(channel_ref="TX-1", citizen={"name": "钱七", "phone": "13900000002"})
    await stack.call("POST", "/v1/requests", "intake", json=quiet)
    made = (await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="TX-2"))).json()

    await eventually(lambda: _told(platform, "13700000000", 1))
    [ack] = texts_to(platform, "13700000000")
    assert ack["kind"] == "acknowledgement" and made["request_id"] in ack["text"]
    delivery = platform.taken()[0]
    timestamp = delivery.headers["minsheng-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + delivery.body, hashlib.sha256).hexdigest()
    assert delivery.headers["minsheng-signature"] == f"sha256={expected}"
    assert not texts_to(platform, "13900000001")  # the app answers its citizens itself
    assert not texts_to(platform, "13900000002")  # opted out

    case_id = made["case_id"]
    await stack.case_when(case_id, "dispatched")
    await stack.call("POST", f"/v1/cases/{case_id}/accept", "hrss", json={})
    await stack.call("POST", f"/v1/cases/{case_id}/reply", "hrss", json={"result": "已督促企业足额支付工资"})
    await eventually(lambda: _told(platform, "13700000000", 3))
    kinds = [t["kind"] for t in texts_to(platform, "13700000000")]
    assert kinds == ["acknowledgement", "reply", "callback_notice"]
    assert "已督促企业足额支付工资" in texts_to(platform, "13700000000")[1]["text"]


@pytest.mark.usefixtures("texting")
@pytest.mark.parametrize("texting", ["quiet"], indirect=True)
async def test_a_text_due_in_the_quiet_hours_waits(
    stack: Stack, settings: Settings, platform: Receiver, db: Database
) -> None:
    await start_delivery(stack.env.client, settings, TEXTS)
    await stack.call("POST", "/v1/requests", "intake", json=body(channel_ref="TX-Q"))
    await eventually(lambda: _held(db))
    assert not platform.deliveries


async def _told(platform: Receiver, phone: str, count: int) -> bool:
    return len(texts_to(platform, phone)) >= count


async def _held(db: Database) -> bool:
    async with db.session() as session:
        rows = (await session.exec(OutboxRow.__table__.select().where(OutboxRow.stream == "text"))).all()  # type: ignore[attr-defined]
    return bool(rows) and all(r.not_before is not None and r.sent_at is None for r in rows)
