"""Request kinds, answers at first contact, the callback's second question, the new rates, the
knowledge base's search and the targets watched (pure)."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain.calendar import load_calendar
from domain.callbacks import CallbackPolicy, load_callback_policy, plan_visits
from domain.case import (
    SYSTEM,
    AcceptInput,
    ActionRefused,
    Actor,
    AnswerInput,
    CallbackAnswer,
    CallbackInput,
    CaseState,
    CaseStatus,
    DispatchInput,
    ReplyInput,
    Resolution,
    Role,
)
from domain.indicators import IndicatorPolicy, UnitCounts, indicators_of, load_indicator_policy
from domain.kinds import KindPolicy, KindSource, kind_from_words, load_kind_policy, request_kind
from domain.knowledge import Entry, search, why_not_valid
from domain.reference import ReferenceDataError, RequestKind, Tier, UnitKind
from domain.targets import Rate, Target, TargetPolicy, changes, load_target_policy, readings
from tests.helpers import ROOT, SHANGHAI

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OPERATOR = Actor(role=Role.intake, key_id="k_op")
AGENT = Actor(role=Role.callback_agent, key_id="k_c")
HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_u")
POLICY = load_kind_policy(ROOT / "config" / "request_kinds.yaml")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("请问办理居住证需要什么材料？", RequestKind.consultation),
        ("我想表扬崖头街道的网格员，给他们送锦旗", RequestKind.praise),
        ("我建议在成山大道增设一个公交站", RequestKind.suggestion),
        ("老人被困在电梯里，紧急求助", RequestKind.help),
        ("工地拖欠工资三个月，请尽快帮忙处理，谢谢", RequestKind.complaint),
        ("建议相关部门尽快处理噪音扰民问题", RequestKind.complaint),  # 建议 alone closes many complaints
    ],
)
def test_the_kind_read_from_the_words(text: str, kind: RequestKind) -> None:
    assert kind_from_words(text, POLICY)[0] is kind


def test_the_operator_then_the_channel_then_the_words_decide() -> None:
    text = "请问社保怎么办理"
    assert request_kind(text, RequestKind.complaint, RequestKind.praise, POLICY) == (
        RequestKind.complaint,
        KindSource.given,
    )
    assert request_kind(text, None, RequestKind.praise, POLICY) == (RequestKind.praise, KindSource.channel)
    assert request_kind(text, None, None, POLICY) == (RequestKind.consultation, KindSource.words)
    assert KindPolicy() == POLICY  # the shipped file is the defaults


def test_a_cue_the_text_could_never_contain_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "request_kinds.yaml"
    bad.write_text("praise: ['点 赞']\n")
    with pytest.raises(ReferenceDataError, match=r"request_kinds.yaml: praise.*'点赞'"):
        load_kind_policy(bad)


def queued(**fields: object) -> CaseState:
    return CaseState(case_id="C1", channel="hotline_12345", received_at=T0, requests=["R1"], **fields)  # type: ignore[arg-type]


def test_the_centre_answers_a_queued_case_without_a_unit() -> None:
    case = queued(kind=RequestKind.consultation)
    event = case.answer(
        T0, AnswerInput(actor=OPERATOR, answer="凭身份证到社保窗口办理", knowledge_entry=3, knowledge_version=2)
    )
    assert (event.kind, event.detail["knowledge_entry"], event.detail["knowledge_version"]) == ("answered", "3", "2")
    assert case.status is CaseStatus.replied and case.first_contact and case.unit is None
    assert case.knowledge_entry == 3 and case.callbacks == {"R1": None}


@pytest.mark.parametrize(
    ("case", "actor", "message"),
    [
        (queued(), Actor(role=Role.unit, unit="yatou"), "only intake or dispatcher may do this"),
        (queued(status=CaseStatus.dispatched, unit="yatou"), OPERATOR, "needs a case that is received or returned"),
        (
            queued(kind=RequestKind.praise, for_information=True),
            OPERATOR,
            "praise: it goes to its unit for information",
        ),
    ],
)
def test_an_answer_the_centre_may_not_give(case: CaseState, actor: Actor, message: str) -> None:
    with pytest.raises(ActionRefused, match=message):
        case.check_answer(AnswerInput(actor=actor, answer="答复"))


def _visited(
    case: CaseState, answer: CallbackAnswer, resolution: Resolution | None, reopen_on_not_solved: bool
) -> None:
    policy = CallbackPolicy(reopen_on_not_solved=reopen_on_not_solved)
    case.plan_callbacks(T0, plan_visits(T0, policy, CALENDAR, SHANGHAI))
    case.hand_over("R1", 1)
    case.callback(T0, CallbackInput(actor=AGENT, request_id="R1", answer=answer, resolution=resolution, attempt=1))


CALENDAR = load_calendar(ROOT / "config" / "calendar")


def handled() -> CaseState:
    case = queued()
    case.dispatch(
        T0,
        DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.yellow),
    )
    case.accept(T0, AcceptInput(actor=HRSS))
    case.reply(T0, ReplyInput(actor=HRSS, result="已支付"))
    return case


def test_not_solved_reopens_like_dissatisfied_where_the_policy_says_so() -> None:
    case = handled()
    _visited(case, CallbackAnswer.basically_satisfied, Resolution.not_solved, reopen_on_not_solved=True)
    assert case.reopen_due
    event = case.reopen(T0)
    assert (event.detail["not_solved"], event.detail["dissatisfied"]) == ("R1", "")
    assert case.status is CaseStatus.dispatched and case.unit == "hrss_bureau" and case.round == 2

    kept = handled()
    _visited(kept, CallbackAnswer.basically_satisfied, Resolution.not_solved, reopen_on_not_solved=False)
    assert not kept.reopen_due
    kept.close(T0)
    assert kept.resolved_first_time is False  # closed as it stands, but not solved


def test_resolved_first_time_only_without_a_reopen_or_an_unsolved_answer() -> None:
    solved = handled()
    _visited(solved, CallbackAnswer.satisfied, Resolution.solved, reopen_on_not_solved=True)
    assert solved.resolved_first_time is None  # not yet closed
    solved.close(T0)
    assert solved.resolved_first_time is True

    reopened = handled()
    _visited(reopened, CallbackAnswer.dissatisfied, Resolution.partly_solved, reopen_on_not_solved=True)
    reopened.reopen(T0)
    reopened.accept(T0, AcceptInput(actor=HRSS))
    reopened.reply(T0, ReplyInput(actor=HRSS, result="再次处理"))
    _visited(reopened, CallbackAnswer.satisfied, Resolution.solved, reopen_on_not_solved=True)
    reopened.close(T0)
    assert reopened.resolved_first_time is False

    forwarded = queued(kind=RequestKind.suggestion, for_information=True)
    forwarded.close(T0)
    assert forwarded.resolved_first_time is None


def test_an_answered_case_that_is_reopened_goes_to_the_dispatch_queue() -> None:
    case = queued()
    case.answer(T0, AnswerInput(actor=OPERATOR, answer="答复"))
    _visited(case, CallbackAnswer.dissatisfied, Resolution.not_solved, reopen_on_not_solved=True)
    case.reopen(T0)
    assert case.status is CaseStatus.received and case.unit is None and case.queued_at == T0


def test_first_contact_visits_follow_the_policy() -> None:
    shipped = load_callback_policy(ROOT / "config" / "callbacks.yaml")
    assert shipped.visit_first_contact and shipped.reopen_on_not_solved
    assert plan_visits(T0, shipped, CALENDAR, SHANGHAI, first_contact=True).attempt_due
    none = CallbackPolicy(visit_first_contact=False)
    assert plan_visits(T0, none, CALENDAR, SHANGHAI, first_contact=True).attempt_due == []
    assert plan_visits(T0, none, CALENDAR, SHANGHAI).attempt_due  # a unit's reply is always visited


COUNTS = UnitCounts(
    unit="yatou",
    satisfied=6,
    basically_satisfied=2,
    dissatisfied=2,
    solved=5,
    partly_solved=2,
    not_solved=3,
    accepted_in_time=9,
    acceptance_slips=1,
    citizen_clocked=8,
    citizen_on_time=6,
    closed=10,
    resolved_first_time=7,
    due=4,
    closed_by_end=4,
)


def test_the_new_rates_by_hand() -> None:
    u = indicators_of(COUNTS, UnitKind.town, IndicatorPolicy())
    assert u.response_rate == pytest.approx(9 / 10)
    assert u.resolution_rate == pytest.approx((5 + 0.5 * 2) / 10)
    assert u.citizen_on_time_rate == pytest.approx(6 / 8)
    assert u.first_contact_rate == pytest.approx(7 / 10)
    assert u.score == pytest.approx((0.7 * 8 / 10 + 0.2 * 1) / 0.9)  # the return rate undefined: scaled


def test_the_three_rate_profile_ranks_by_response_resolution_and_satisfaction() -> None:
    beijing = load_indicator_policy(ROOT / "config" / "examples" / "ranking-three-rates.yaml")
    u = indicators_of(COUNTS, UnitKind.town, beijing)
    assert u.score == pytest.approx(0.34 * 8 / 10 + 0.33 * 6 / 10 + 0.33 * 9 / 10)
    assert load_indicator_policy(ROOT / "config" / "ranking.yaml") == IndicatorPolicy()


def test_the_knowledge_base_answers_with_what_is_valid_that_day() -> None:
    entries = [
        Entry(
            1, "居住证办理", "凭身份证、居住登记凭证到派出所办理居住证", date(2026, 1, 1), None, ("residence_permit",)
        ),
        Entry(2, "居住证办理（旧）", "旧政策：到街道办理居住证", date(2020, 1, 1), date(2025, 12, 31), ()),
        Entry(3, "医保报销", "异地就医备案后按比例报销", date(2026, 1, 1), None, ()),
        Entry(4, "居住证办理（撤回）", "已撤回", date(2026, 1, 1), None, (), retired=True),
    ]
    hits = search(entries, "请问居住证怎么办理", date(2026, 11, 24))
    assert [h.entry.id for h in hits] == [1]
    assert [h.entry.id for h in search(entries, "居住证办理", date(2025, 6, 1))] == [2]
    assert search(entries, "居住证", date(2026, 11, 24), matter_type="wage_arrears") == []
    assert why_not_valid(entries[1], date(2026, 11, 24)) == "knowledge entry 2 expired on 2025-12-31"
    assert why_not_valid(entries[3], date(2026, 11, 24)) == "knowledge entry 4 was retired"
    assert why_not_valid(entries[0], date(2025, 12, 31)) == "knowledge entry 1 is valid from 2026-01-01"


ON_TIME = Target(name="on_time_closure", rate=Rate.citizen_on_time, at_least=0.95, min_count=5)


def _counts(clocked: int, on_time: int) -> UnitCounts:
    return UnitCounts(unit="yatou", citizen_clocked=clocked, citizen_on_time=on_time)


def test_a_breach_opens_once_and_closes_when_the_rate_is_back() -> None:
    kinds = {"yatou": UnitKind.town}
    policy = IndicatorPolicy()
    low = readings(ON_TIME, {"yatou": _counts(20, 18)}, kinds, policy)
    assert [(r.key, r.value, r.count, r.breached) for r in low] == [("yatou", 0.9, 20, True)]
    first = changes(low, set())
    assert [r.key for r in first.opened] == ["yatou"]
    again = changes(low, {"yatou"})
    assert (again.opened, [r.key for r in again.still_open]) == ([], ["yatou"])  # no second alert
    too_few = readings(ON_TIME, {"yatou": _counts(4, 0)}, kinds, policy)
    assert too_few == [] and changes(too_few, {"yatou"}).recovered == []  # too few to tell
    back = changes(readings(ON_TIME, {"yatou": _counts(20, 19)}, kinds, policy), {"yatou"})
    assert [r.key for r in back.recovered] == ["yatou"]


def test_targets_ship_the_reports_two_and_refuse_a_target_without_one_line(tmp_path: Path) -> None:
    shipped = load_target_policy(ROOT / "config" / "targets.yaml")
    assert [(t.name, t.rate, t.at_least) for t in shipped.targets] == [
        ("on_time_closure", Rate.citizen_on_time, 0.95),
        ("first_contact_resolution", Rate.first_contact, 0.95),
    ]
    assert shipped == TargetPolicy()
    bad = tmp_path / "targets.yaml"
    bad.write_text("targets:\n  - {name: x_rate, rate: response, at_least: 0.9, at_most: 0.99}\n")
    with pytest.raises(ReferenceDataError, match=r"targets.yaml: targets.0.*exactly one of at_least and at_most"):
        load_target_policy(bad)
