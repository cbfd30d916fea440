"""The indicators, the score, the ranking and the callback rules (pure), with hand-checked figures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from domain.calendar import load_calendar
from domain.callbacks import CallbackPlan, CallbackPolicy, dialable, plan_visits
from domain.case import SYSTEM, Actor, CallbackAnswer, CallbackInput, CaseState, CaseStatus, Role
from domain.indicators import (
    IndicatorPolicy,
    Period,
    UnitCounts,
    Weights,
    days_to_rank,
    indicators_of,
    period_bounds,
    rank_units,
)
from domain.reference import UnitKind
from tests.helpers import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = load_calendar(ROOT / "config" / "calendar")
POLICY = IndicatorPolicy()
AGENT = Actor(role=Role.callback_agent, key_id="k_c")


def test_the_three_indicators_by_hand() -> None:
    counts = UnitCounts(
        unit="yatou",
        satisfied=6,
        basically_satisfied=2,
        dissatisfied=2,
        unreachable=3,
        due=8,
        closed_by_end=6,
        accepted=9,
        returned=1,
        replied=5,
        on_time=4,
        handling_days=11,
    )
    u = indicators_of(counts, UnitKind.town, POLICY)
    assert u.satisfaction_rate == pytest.approx(8 / 10)  # unreachable in neither part
    assert u.closure_rate == pytest.approx(6 / 8)
    assert u.return_rate == pytest.approx(1 / 10)
    assert u.on_time_rate == pytest.approx(4 / 5)
    assert u.average_handling_days == pytest.approx(11 / 5)
    assert u.score == pytest.approx(0.7 * 0.8 + 0.2 * 0.75 + 0.1 * 0.9)  # 0.8


def test_basically_satisfied_counts_by_the_policy_weight() -> None:
    counts = UnitCounts(unit="yatou", satisfied=1, basically_satisfied=2, dissatisfied=1)
    half = IndicatorPolicy(basically_satisfied_weight=0.5)
    assert indicators_of(counts, UnitKind.town, half).satisfaction_rate == pytest.approx((1 + 1) / 4)


def test_an_undefined_rate_is_left_out_of_the_score_not_counted_as_zero() -> None:
    # Only satisfaction known: the score is the satisfaction rate itself.
    only = indicators_of(UnitCounts(unit="yatou", satisfied=3, dissatisfied=1), UnitKind.town, POLICY)
    assert (only.closure_rate, only.return_rate) == (None, None)
    assert only.score == pytest.approx(0.75)
    nothing = indicators_of(UnitCounts(unit="yatou"), UnitKind.town, POLICY)
    assert nothing.score is None


def test_weights_must_add_up_to_one() -> None:
    with pytest.raises(ValidationError, match=r"add up to 1\.1"):
        Weights.model_validate({"satisfaction": 0.7, "closure": 0.3, "return": 0.1})
    assert Weights.model_validate({"satisfaction": 0.7, "closure": 0.2, "return": 0.1}).return_ == 0.1


def _unit(code: str, kind: UnitKind, satisfied: int, dissatisfied: int) -> object:
    return indicators_of(UnitCounts(unit=code, satisfied=satisfied, dissatisfied=dissatisfied), kind, POLICY)


def test_ranking_ties_share_a_rank_and_kinds_rank_among_themselves() -> None:
    units = [
        _unit("yatou", UnitKind.town, 9, 1),  # 0.9
        _unit("shidao", UnitKind.town, 8, 2),  # 0.8
        _unit("hrss_bureau", UnitKind.department, 9, 1),  # 0.9
        _unit("water_bureau", UnitKind.department, 1, 1),  # 0.5
        _unit("idle_bureau", UnitKind.department, 0, 0),  # nothing: unranked
    ]
    ranked = rank_units(units)  # type: ignore[arg-type]
    assert [(u.unit, u.rank_all, u.rank_in_kind) for u in ranked] == [
        ("hrss_bureau", 1, 1),
        ("yatou", 1, 1),
        ("shidao", 3, 2),
        ("water_bureau", 4, 2),
        ("idle_bureau", None, None),
    ]


def test_periods_are_local_days_and_the_month_to_date() -> None:
    start, end = period_bounds(date(2026, 11, 23), Period.day, SHANGHAI)
    assert (start, end) == (datetime(2026, 11, 22, 16, tzinfo=UTC), datetime(2026, 11, 23, 16, tzinfo=UTC))
    start, _ = period_bounds(date(2026, 11, 23), Period.month, SHANGHAI)
    assert start == datetime(2026, 10, 31, 16, tzinfo=UTC)


def test_catch_up_fills_the_days_missing_in_the_window() -> None:
    target = date(2026, 11, 23)
    ranked = {date(2026, 11, 20), date(2026, 11, 22)}
    assert days_to_rank(target, 3, ranked) == [date(2026, 11, 21), target]
    assert days_to_rank(target, 0, set()) == [target]


def test_visits_spread_over_working_days_at_the_time_of_the_reply() -> None:
    # Replied Wednesday 30 Sep 2026 at 15:00; 1–7 October are the National Day holiday.
    replied = datetime(2026, 9, 30, 15, tzinfo=SHANGHAI).astimezone(UTC)
    plan = plan_visits(replied, CallbackPolicy(), CALENDAR, SHANGHAI)
    assert [t.astimezone(SHANGHAI) for t in plan.attempt_due] == [
        datetime(2026, 9, 30, 15, tzinfo=SHANGHAI),
        datetime(2026, 10, 8, 15, tzinfo=SHANGHAI),
        datetime(2026, 10, 9, 15, tzinfo=SHANGHAI),
    ]
    assert plan.reopen_limit == 1
    assert len(plan_visits(replied, CallbackPolicy(attempts=1), CALENDAR, SHANGHAI).attempt_due) == 1


@pytest.mark.parametrize(
    ("phone", "number"),
    [
        ("13700000000", "13700000000"),
        ("+86 137-0000-0000", "13700000000"),
        ("0631-7512345", "06317512345"),
        ("12345", None),
        ("+44 20 7946 0958", None),
        ("10000000000", None),
    ],
)
def test_which_numbers_can_be_dialled(phone: str, number: str | None) -> None:
    assert dialable(phone) == number


def _replied(requests: list[str], attempts: int = 3, reopen_limit: int = 1) -> CaseState:
    t = datetime(2026, 11, 24, 9, tzinfo=UTC)
    case = CaseState(
        case_id="C1",
        channel="hotline_12345",
        received_at=t,
        requests=requests,
        status=CaseStatus.replied,
        unit="yatou",
        replied_at=t,
    )
    case.plan_callbacks(t, CallbackPlan(attempt_due=[t] * attempts, reopen_limit=reopen_limit))
    return case


def test_unreachable_keeps_the_visit_open_until_the_last_attempt() -> None:
    case = _replied(["R1"])
    t = case.received_at
    for attempt in (1, 2):
        case.hand_over("R1", attempt)
        event = case.callback(t, CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.unreachable))
        assert event.detail["final"] == "no" and not case.callbacks_done
    case.hand_over("R1", 3)
    stale = CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.satisfied, attempt=2)
    with pytest.raises(Exception, match=r"attempt 2 .* is closed; attempt 3 is open"):
        case.check_callback(stale)
    case.callback(t, CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.unreachable, attempt=3))
    assert case.callbacks_done and case.callbacks == {"R1": CallbackAnswer.unreachable}
    assert case.outcome is CallbackAnswer.unreachable and not case.reopen_due


def test_no_answer_is_taken_before_the_attempt_is_handed_over() -> None:
    case = _replied(["R1"])
    with pytest.raises(Exception, match="no callback attempt for request R1 is waiting"):
        case.check_callback(CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.satisfied))


def test_a_dissatisfied_citizen_reopens_the_case_once() -> None:
    case = _replied(["R1", "R2"])
    t = case.received_at
    for request_id, answer in (("R1", CallbackAnswer.satisfied), ("R2", CallbackAnswer.dissatisfied)):
        case.hand_over(request_id, 1)
        case.record_answer(t, SYSTEM, request_id, answer)
    assert case.outcome is CallbackAnswer.dissatisfied and case.reopen_due
    event = case.reopen(t)
    assert (event.kind, event.detail["dissatisfied"], event.detail["round"]) == ("reopened", "R2", "1")
    assert (case.status, case.unit, case.reopened, case.callbacks) == (CaseStatus.dispatched, "yatou", 1, {})
    case.status, case.replied_at = CaseStatus.replied, t
    case.plan_callbacks(t, CallbackPlan(attempt_due=[t], reopen_limit=1))
    assert case.callback_round == 2 and set(case.visits) == {"R1", "R2"}
    for request_id in ("R1", "R2"):
        case.hand_over(request_id, 1)
        case.record_answer(t, SYSTEM, request_id, CallbackAnswer.dissatisfied)
    assert not case.reopen_due  # the limit is reached: it closes as dissatisfied
    assert case.close(t).detail["outcome"] == "dissatisfied"
