"""Texts to citizens: which steps make which texts, quiet hours, who gets none, the shipped texts."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.reference import ReferenceDataError
from domain.texts import QuietHours, TextKind, TextPolicy, load_text_policy, texts_of_event, why_not_sent
from tests.helpers import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = QuietHours(start=time(21), end=time(8))


def local(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 24, hour, minute, tzinfo=SHANGHAI)


def test_a_text_due_in_the_night_waits_for_the_morning() -> None:
    assert NIGHT.holds(local(22), SHANGHAI) == datetime(2026, 11, 25, 8, tzinfo=SHANGHAI)
    assert NIGHT.holds(local(3), SHANGHAI) == local(8)
    assert NIGHT.holds(local(8), SHANGHAI) is None and NIGHT.holds(local(20, 59), SHANGHAI) is None
    lunch = QuietHours(start=time(12), end=time(14))
    assert lunch.holds(local(13), SHANGHAI) == local(14) and lunch.holds(local(14), SHANGHAI) is None
    assert NIGHT.holds(datetime(2026, 11, 24, 14, tzinfo=UTC), SHANGHAI) == datetime(2026, 11, 25, 8, tzinfo=SHANGHAI)


def test_intake_the_reply_and_the_callback_plan_make_texts_to_every_citizen_of_the_case() -> None:
    assert texts_of_event("received", {"request_id": "R1"}, ["R1"]) == [(TextKind.acknowledgement, "R1")]
    assert texts_of_event("request_joined", {"request_id": "R2"}, ["R1", "R2"]) == [(TextKind.acknowledgement, "R2")]
    assert texts_of_event("replied", {"result": "已办"}, ["R1", "R2"]) == [
        (TextKind.reply, "R1"),
        (TextKind.reply, "R2"),
    ]
    assert texts_of_event("callbacks_planned", {}, ["R1"]) == [(TextKind.callback_notice, "R1")]
    late = texts_of_event("callbacks_planned", {"late_joiners": "R3"}, ["R1", "R3"])
    assert late == [(TextKind.reply, "R3"), (TextKind.callback_notice, "R3")]
    assert texts_of_event("slip", {}, ["R1"]) == []


def test_who_gets_no_text() -> None:
    assert why_not_sent("13700000000", answers_citizen=False, opted_out=False) is None
    assert (
        why_not_sent("13700000000", answers_citizen=True, opted_out=False) == "the channel answers the citizen itself"
    )
    assert why_not_sent("", answers_citizen=False, opted_out=False) == "no phone number"
    assert why_not_sent("13700000000", answers_citizen=False, opted_out=True) == "the citizen opted out of texts"


def test_the_shipped_texts_render_with_the_request_number_and_the_reply() -> None:
    policy = load_text_policy(ROOT / "config" / "texts.yaml")
    assert "R20261124-X" in policy.render(TextKind.acknowledgement, "R20261124-X", None)
    assert "已督促" in policy.render(TextKind.reply, "R1", "已督促企业支付")
    assert policy.quiet_hours == NIGHT


def test_a_text_with_an_unknown_placeholder_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "texts.yaml"
    path.write_text("texts:\n  reply: '您的诉求{request_id}：{answer}'\n")
    with pytest.raises(ReferenceDataError, match=r"texts.yaml: texts.reply.*answer"):
        load_text_policy(path)
    assert TextPolicy(quiet_hours=None).quiet_hours is None
