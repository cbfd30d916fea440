"""Anonymous requests (no name, no phone): in the case like any other, never visited."""

from datetime import UTC, datetime

from domain.callbacks import CallbackPlan
from domain.case import (
    SYSTEM,
    AcceptInput,
    Actor,
    CaseRequestRef,
    CaseState,
    DispatchInput,
    JoinInput,
    ReplyInput,
    Role,
)
from domain.reference import Tier

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_u")
PLAN = CallbackPlan(attempt_due=[T0], reopen_limit=1)


def ref(request_id: str, anonymous: bool) -> CaseRequestRef:
    return CaseRequestRef(
        request_id=request_id,
        channel="hotline_12345",
        content="x",
        address="崖头",
        received_at=T0,
        actor=SYSTEM,
        anonymous=anonymous,
    )


def replied(*requests: tuple[str, bool]) -> CaseState:
    (first, anonymous), *others = requests
    case = CaseState(case_id="C1", channel="hotline_12345", received_at=T0, requests=[first])
    case.receive(ref(first, anonymous))
    for request_id, anon in others:
        case.join(T0, JoinInput(request=ref(request_id, anon)))
    case.dispatch(
        T0,
        DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.yellow),
    )
    case.accept(T0, AcceptInput(actor=HRSS))
    case.reply(T0, ReplyInput(actor=HRSS, result="已办"))
    return case


def test_only_the_citizens_with_a_phone_are_visited() -> None:
    case = replied(("R1", False), ("R2", True))
    planned = case.plan_callbacks(T0, PLAN)
    assert set(case.callbacks) == {"R1"} and set(case.visits) == {"R1"}
    assert (planned.detail["citizens"], planned.detail["anonymous"]) == ("1", "1")


def test_a_case_of_anonymous_requests_has_no_one_to_visit_and_closes_without_an_outcome() -> None:
    case = replied(("R1", True), ("R2", True))
    assert case.visitable == [] and case.callbacks == {}
    assert case.no_callbacks(T0).detail == {"anonymous": "2"}
    closed = case.close(T0)
    assert closed.detail.get("outcome") is None and case.outcome is None
