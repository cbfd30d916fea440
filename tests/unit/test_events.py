"""Case events out: the signature a subscriber checks, whom an event concerns, what a subscription
wants, and the kinds it may name; the kinds' and the statuses' names, and times on the city's clock."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from domain.case import SYSTEM, Actor, CaseStatus, Role, Summons, TimelineEvent
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
from domain.timeline import STATUS_NAMES, SUMMONS_STATUS_NAMES, local_times
from tests.helpers import ROOT

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


def test_every_kind_and_status_has_its_chinese_name_and_times_read_on_the_citys_clock() -> None:
    kinds = (ROOT / "docs" / "case.md").read_text().split("The event kinds are:")[1].split("\n\n")[0]
    assert set(re.findall(r"`([a-z_]+)`", kinds)) == EVENT_KINDS  # docs/case.md's list, each named
    assert set(STATUS_NAMES) == set(CaseStatus) and not set(STATUS_NAMES) & set(SUMMONS_STATUS_NAMES)
    assert set(SUMMONS_STATUS_NAMES) == set(get_args(Summons.model_fields["status"].annotation))
    shanghai = ZoneInfo("Asia/Shanghai")
    assert local_times("2026-11-24T01:00:00+00:00,2026-11-25T16:30:00+00:00", shanghai) == (
        "2026-11-24 09:00,2026-11-26 00:30"
    )
    assert local_times("Tiered by the catalogue", shanghai) == "Tiered by the catalogue"
