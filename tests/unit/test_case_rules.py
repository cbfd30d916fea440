"""Who may do what to a case, and when (pure; the workflow's validators run these same checks)."""

from datetime import UTC, datetime

import pytest

from domain.case import (
    SYSTEM,
    AcceptInput,
    ActionRefused,
    Actor,
    CallbackAnswer,
    CallbackInput,
    CaseRequestRef,
    CaseState,
    CaseStatus,
    DispatchInput,
    JoinInput,
    MergeInput,
    ReplyInput,
    ReturnDecisionInput,
    ReturnInput,
    Role,
    SplitInput,
)
from domain.reference import Tier

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
DISPATCHER = Actor(role=Role.dispatcher, key_id="k_d")
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_u")
YATOU = Actor(role=Role.unit, unit="yatou", key_id="k_y")
AGENT = Actor(role=Role.callback_agent, key_id="k_c")


def new_case() -> CaseState:
    return CaseState(case_id="C1", channel="hotline_12345", received_at=T0, requests=["R1"])


def dispatch_to(unit: str) -> DispatchInput:
    return DispatchInput(actor=DISPATCHER, unit=unit, domain="labour", matter_type="wage_arrears", tier=Tier.yellow)


def test_the_whole_path_numbers_its_events() -> None:
    case = new_case()
    kinds = [
        case.dispatch(T0, dispatch_to("hrss_bureau")).kind,
        case.accept(T0, AcceptInput(actor=HRSS)).kind,
        case.reply(T0, ReplyInput(actor=HRSS, result="已支付")).kind,
        case.callback(T0, CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.satisfied)).kind,
        case.close(T0).kind,
    ]
    assert kinds == ["dispatched", "accepted", "replied", "callback", "closed"]
    assert case.seq == 5 and case.status is CaseStatus.closed


@pytest.mark.parametrize(
    ("prepare", "action", "kind", "message"),
    [
        ([], lambda c: c.accept(T0, AcceptInput(actor=HRSS)), "conflict", "accept needs a case that is dispatched"),
        (
            ["dispatch"],
            lambda c: c.reply(T0, ReplyInput(actor=HRSS, result="x")),
            "conflict",
            "reply needs a case that is accepted",
        ),
        (
            ["dispatch"],
            lambda c: c.accept(T0, AcceptInput(actor=YATOU)),
            "forbidden",
            "assigned to hrss_bureau, not to yatou",
        ),
        (["dispatch"], lambda c: c.accept(T0, AcceptInput(actor=DISPATCHER)), "forbidden", "only unit may do this"),
        (
            ["dispatch"],
            lambda c: c.dispatch(T0, dispatch_to("yatou")),
            "conflict",
            "dispatch needs a case that is received or returned",
        ),
        (
            [],
            lambda c: c.dispatch(T0, DispatchInput(**{**dispatch_to("yatou").model_dump(), "actor": HRSS})),
            "forbidden",
            "only dispatcher or system",
        ),
        (
            ["dispatch", "accept", "reply"],
            lambda c: c.callback(T0, CallbackInput(actor=AGENT, request_id="R9", answer=CallbackAnswer.satisfied)),
            "conflict",
            "request R9 is not part of case C1",
        ),
        (
            ["dispatch", "accept", "reply"],
            lambda c: c.callback(T0, CallbackInput(actor=HRSS, request_id="R1", answer=CallbackAnswer.satisfied)),
            "forbidden",
            "only callback_agent",
        ),
    ],
)
def test_refused_actions_leave_the_case_unchanged(prepare, action, kind, message) -> None:
    case = new_case()
    steps = {
        "dispatch": lambda: case.dispatch(T0, dispatch_to("hrss_bureau")),
        "accept": lambda: case.accept(T0, AcceptInput(actor=HRSS)),
        "reply": lambda: case.reply(T0, ReplyInput(actor=HRSS, result="x")),
    }
    for step in prepare:
        steps[step]()
    before = case.model_copy(deep=True)
    with pytest.raises(ActionRefused) as refused:
        action(case)
    assert refused.value.kind == kind
    assert message in refused.value.message
    assert case == before


def test_a_return_waits_for_a_dispatchers_decision() -> None:
    case = new_case()
    case.return_approval = True
    case.dispatch(T0, dispatch_to("yatou"))
    asked = case.return_(T0, ReturnInput(actor=YATOU, reason="欠薪属人社局职责"))
    assert asked.kind == "return_requested" and case.status is CaseStatus.dispatched and case.return_pending
    with pytest.raises(ActionRefused, match="already has a return waiting"):
        case.return_(T0, ReturnInput(actor=YATOU, reason="再次"))
    with pytest.raises(ActionRefused):
        case.decide_return(T0, ReturnDecisionInput(actor=YATOU, approve=True))
    refused = case.decide_return(T0, ReturnDecisionInput(actor=DISPATCHER, approve=False, note="属本单位职责"))
    assert refused.kind == "return_refused" and case.status is CaseStatus.dispatched and case.unit == "yatou"
    case.return_(T0, ReturnInput(actor=YATOU, reason="确非本单位"))
    approved = case.decide_return(T0, ReturnDecisionInput(actor=DISPATCHER, approve=True))
    # The unit's act, approved: its return rate counts it.
    assert approved.kind == "returned" and approved.actor == YATOU and case.status is CaseStatus.returned
    with pytest.raises(ActionRefused, match="needs a case that is dispatched or accepted"):
        case.decide_return(T0, ReturnDecisionInput(actor=DISPATCHER, approve=True))


def test_a_returned_case_goes_back_to_a_dispatcher_then_to_another_unit() -> None:
    case = new_case()
    case.dispatch(T0, dispatch_to("yatou"))
    event = case.return_(T0, ReturnInput(actor=YATOU, reason="欠薪属人社局职责"))
    assert event.detail["reason"] == "欠薪属人社局职责" and case.status is CaseStatus.returned
    with pytest.raises(ActionRefused):
        case.accept(T0, AcceptInput(actor=YATOU))
    case.dispatch(T0, dispatch_to("hrss_bureau"))
    case.accept(T0, AcceptInput(actor=HRSS))
    assert case.unit == "hrss_bureau" and case.status is CaseStatus.accepted


def test_a_second_answer_for_one_citizen_is_refused() -> None:
    case = new_case()
    case.dispatch(T0, DispatchInput(**{**dispatch_to("hrss_bureau").model_dump(), "actor": SYSTEM}))
    case.accept(T0, AcceptInput(actor=HRSS))
    case.reply(T0, ReplyInput(actor=HRSS, result="x"))
    case.callback(T0, CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.unreachable))
    assert case.callbacks_done
    with pytest.raises(ActionRefused, match="already answered"):
        case.check_callback(CallbackInput(actor=AGENT, request_id="R1", answer=CallbackAnswer.satisfied))


def split_out(request_id: str, actor: Actor = DISPATCHER) -> SplitInput:
    return SplitInput(actor=actor, request_id=request_id, new_case_id="C2", reason="不是同一件事")


def test_a_dispatcher_splits_a_merged_request_out_before_the_reply_only() -> None:
    case = new_case()
    case.requests.append("R2")
    with pytest.raises(ActionRefused, match="opened case C1 and stays"):
        case.check_split(split_out("R1"))
    with pytest.raises(ActionRefused, match="not part of case C1"):
        case.check_split(split_out("R9"))
    with pytest.raises(ActionRefused, match="only dispatcher"):
        case.check_split(split_out("R2", HRSS))
    event = case.split(T0, split_out("R2"))
    assert (event.kind, event.detail["new_case_id"], case.requests) == ("request_split", "C2", ["R1"])

    replied = new_case()
    replied.requests.append("R2")
    replied.dispatch(T0, dispatch_to("hrss_bureau"))
    replied.accept(T0, AcceptInput(actor=HRSS))
    replied.reply(T0, ReplyInput(actor=HRSS, result="已支付"))
    with pytest.raises(ActionRefused, match="is replied; a split needs"):
        replied.check_split(split_out("R2"))


def test_a_case_merged_by_hand_takes_no_more_requests() -> None:
    case = new_case()
    with pytest.raises(ActionRefused, match="into itself"):
        case.check_merge(MergeInput(actor=DISPATCHER, into_case_id="C1", reason="同一件事"))
    case.merge_into(T0, MergeInput(actor=DISPATCHER, into_case_id="C7", reason="同一件事"))
    assert case.status is CaseStatus.merged
    with pytest.raises(ActionRefused, match="merged into another case"):
        case.check_join(
            JoinInput(
                request=CaseRequestRef(
                    request_id="R3",
                    channel="sms",
                    content="又来了",
                    address="某地",
                    received_at=T0,
                    actor=SYSTEM,
                )
            )
        )


def test_while_a_merge_moves_the_requests_the_case_takes_nothing_else() -> None:
    case = new_case()
    case.dispatch(T0, dispatch_to("hrss_bureau"))
    case.accept(T0, AcceptInput(actor=HRSS))
    case.merging_into = "C7"
    for refused in (
        lambda: case.check_reply(ReplyInput(actor=HRSS, result="已支付")),
        lambda: case.check_split(split_out("R1")),
        lambda: case.check_merge(MergeInput(actor=DISPATCHER, into_case_id="C8", reason="同一件事")),
    ):
        with pytest.raises(ActionRefused, match="being merged into case C7"):
            refused()
    merge = MergeInput(actor=DISPATCHER, into_case_id="C7", reason="同一件事")
    events = [case.move_out(T0, "R1", merge).kind, case.merge_into(T0, merge).kind]
    assert (events, case.requests, case.status, case.merging_into) == (
        ["request_moved", "merged"],
        [],
        CaseStatus.merged,
        None,
    )
