"""Case events out: the signature a subscriber checks, whom an event concerns, what a subscription
wants, and the kinds it may name."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from domain.case import SYSTEM, Actor, CaseStatus, Role, TimelineEvent
from domain.events import (
    EVENT_KINDS,
    UNIT_KINDS,
    body_of,
    check_kinds,
    concerned_units,
    event_message,
    sign,
    verify,
    wanted,
)

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def test_the_signature_is_the_hmac_of_timestamp_dot_body_and_a_stale_or_altered_one_fails() -> None:
    body = body_of({"id": "C1.1", "kind": "dispatched"})
    expected = hmac.new(b"whsec_x", b"1796000000." + body, hashlib.sha256).hexdigest()
    assert sign("whsec_x", 1796000000, body) == f"sha256={expected}"
    signature = sign("whsec_x", 1796000000, body)
    assert verify("whsec_x", 1796000000, body, signature, now=1796000100)
    assert not verify("whsec_x", 1796000000, body + b" ", signature, now=1796000100)  # altered
    assert not verify("whsec_y", 1796000000, body, signature, now=1796000100)  # another secret
    assert not verify("whsec_x", 1796000000, body, signature, now=1796000000 + 301)  # stale


def test_an_event_concerns_the_case_unit_the_summoned_the_named_and_the_acting_unit() -> None:
    summoned = TimelineEvent(
        seq=7,
        at=T0,
        kind="summoned",
        status=CaseStatus.accepted,
        actor=Actor(role=Role.unit, unit="yatou"),
        detail={"unit": "police"},
    )
    assert concerned_units("yatou", ["market"], summoned) == ["market", "police", "yatou"]
    message = event_message("C1", CaseStatus.accepted, "yatou", ["police", "yatou"], summoned)
    assert message["id"] == "C1.7" and message["actor"] == {"role": "unit", "unit": "yatou"}
    assert "key_id" not in body_of(message).decode()


def test_a_subscription_wants_its_kinds_of_its_units_cases() -> None:
    message = {"kind": "dispatched", "units": ["hrss_bureau"]}
    assert wanted(message, [], None) and wanted(message, list(UNIT_KINDS), ["hrss_bureau"])
    assert not wanted(message, ["slip"], None) and not wanted(message, [], ["yatou"])


def test_unknown_kinds_are_named() -> None:
    check_kinds(["dispatched", "slip"])
    with pytest.raises(ValueError, match="unknown event kinds dispatchd"):
        check_kinds(["dispatchd"])
    assert set(UNIT_KINDS) <= EVENT_KINDS and SYSTEM.role is Role.system
