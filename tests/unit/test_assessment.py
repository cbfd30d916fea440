"""The monthly assessment (pure), on hand-computed figures.

With satisfaction weighing 100% (ONLY_SATISFACTION), P is the satisfaction rate × 100, so each
expected score below is worked out by hand from the formula in config/assessment.yaml.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from domain.assessment import (
    AccountabilityPolicy,
    AssessmentInput,
    AssessmentPolicy,
    MonthlyAssessment,
    NoticeLine,
    ReasonCode,
    UnitMonth,
    assess_month,
    load_assessment_policy,
    month_after,
    month_before,
    month_count,
    month_minus,
    months_between,
    performance_of,
)
from domain.indicators import IndicatorPolicy, UnitCounts
from domain.reference import ReferenceDataError, UnitKind
from tests.helpers import ROOT
from tests.scenarios.months import ONLY_SATISFACTION, POLICY, unit


def assess(*units: UnitMonth, policy: AssessmentPolicy = POLICY) -> MonthlyAssessment:
    return assess_month(
        AssessmentInput(month="2026-01", policy=policy, indicator_policy=ONLY_SATISFACTION, units=units)
    )


def row(result: MonthlyAssessment, code: str):
    return next(u for u in result.units if u.unit == code)


def points(result: MonthlyAssessment, code: str) -> dict[ReasonCode, Decimal]:
    return {r.code: r.points for r in row(result, code).reasons}


TOWNS = (
    # 400 cases → A组; P 97 is 5 over the bonus line 92: 0.4 × 5 = 2, capped at 1. Volume 0.1 × 4 =
    # 0.4. Whistle: 0.5 × 20 + 0.5 × 18 − 3 × 4 = 7 steps × 0.02 = 0.14. 12 + 1 + 0.4 + 0.14 = 13.54.
    unit("rongcheng", 400, 97, 3, ratings=4, speed_total=20, quality_total=18),
    # 150 cases → B组; P 88.00 is exactly the baseline 88: nothing deducted. 12 + 0.15 = 12.15.
    unit("yatou", 150, 88, 12),
    # 150 cases → B组, P 90: within the band. Same 12.15: ties with yatou.
    unit("chengxi", 150, 90, 10),
    # 50 cases → C组; P 85 is 5 under the baseline 90: −0.5 × 5 = −2.5. Volume 0.05. Slips:
    # 0.02 + 2 × 0.1 + 0.3 = 0.52. 12 − 2.5 + 0.05 − 0.52 = 9.03.
    unit("ningjin", 50, 85, 15, reminder_slips=1, supervision_slips=2, warning_slips=1),
    # No case, no answer: not assessed.
    unit("haiyang", 0, 0, 0),
)


def test_scores_by_hand() -> None:
    result = assess(*TOWNS)
    assert row(result, "rongcheng").score == Decimal("13.54")
    assert points(result, "rongcheng") == {
        ReasonCode.standard: Decimal("12.00"),
        ReasonCode.above_bonus_line: Decimal("1.00"),
        ReasonCode.case_volume: Decimal("0.40"),
        ReasonCode.whistle_ratings: Decimal("0.14"),
    }
    assert row(result, "ningjin").score == Decimal("9.03")
    assert points(result, "ningjin")[ReasonCode.below_baseline] == Decimal("-2.50")
    assert points(result, "ningjin")[ReasonCode.supervision_slips] == Decimal("-0.52")
    # The reasons' points add up to the score, for every assessed unit.
    for u in result.units:
        if u.score is not None:
            assert sum(r.points for r in u.reasons) == u.score


def test_a_unit_exactly_at_the_baseline_loses_nothing() -> None:
    yatou = row(assess(*TOWNS), "yatou")
    assert (yatou.group, yatou.performance, yatou.score) == ("towns_b", Decimal("88.00"), Decimal("12.15"))
    assert ReasonCode.below_baseline not in points(assess(*TOWNS), "yatou")
    assert points(assess(*TOWNS), "yatou")[ReasonCode.within_band] == 0


def test_ranks_within_kind_share_ties() -> None:
    result = assess(*TOWNS)
    assert [(u.unit, u.rank) for u in result.units] == [
        ("rongcheng", 1),
        ("chengxi", 2),
        ("yatou", 2),
        ("ningjin", 4),
        ("haiyang", None),
    ]
    assert {u.assessed_in_kind for u in result.units} == {4}


def test_a_unit_with_no_cases_is_not_assessed() -> None:
    result = assess(*TOWNS)
    haiyang = row(result, "haiyang")
    assert (haiyang.score, haiyang.rank, haiyang.performance) == (None, None, None)
    assert [r.code for r in haiyang.reasons] == [ReasonCode.not_assessed]
    assert "haiyang" not in {u.unit for u in result.bottom(UnitKind.town)}


def test_a_unit_with_closure_due_but_no_answers_is_assessed() -> None:
    # No case this month, but cases due from last month that it left unreplied: judged on those.
    late = UnitMonth(unit="late", name="late", kind=UnitKind.town, cases=0, counts=UnitCounts(unit="late", due=4))
    result = assess_month(
        AssessmentInput(month="2026-01", policy=POLICY, indicator_policy=IndicatorPolicy(), units=(late,))
    )
    # P = 0 (closure 0 of 4 due): 12 − min(8, 0.5 × 90) = 4.
    assert (row(result, "late").performance, row(result, "late").score) == (Decimal("0.00"), Decimal("4.00"))


STANDARD_LINE = POLICY.model_copy(update={"accountability": AccountabilityPolicy(line=NoticeLine.standard_points)})


def test_the_bottom_three_are_named_every_month_by_default() -> None:
    # As the report does: the 3 lowest are named even when chengxi and yatou (12.15) lost nothing.
    assert POLICY.accountability.line is NoticeLine.none
    assert [u.unit for u in assess(*TOWNS).bottom(UnitKind.town)] == ["ningjin", "yatou", "chengxi"]
    # Three towns, all at or above the standard points: all three are named.
    assert len(assess(*TOWNS[:3]).bottom(UnitKind.town)) == 3


def test_a_standard_points_line_names_only_the_units_below_it() -> None:
    # A city's addition: ningjin 9.03 is below the 12 standard points; chengxi and yatou (12.15)
    # lost nothing overall: among the 3 lowest of 4, but not noticed.
    assert [u.unit for u in assess(*TOWNS, policy=STANDARD_LINE).bottom(UnitKind.town)] == ["ningjin"]
    assert assess(*TOWNS[:3], policy=STANDARD_LINE).bottom(UnitKind.town) == ()


def test_a_lone_unit_with_full_marks_is_the_bottom_3_unless_a_line_is_set() -> None:
    # One town assessed, P 100: ranked 1 of 1, and "bottom 3" without a line.
    alone = unit("rongcheng", 400, 100, 0)
    assert [u.unit for u in assess(alone).bottom(UnitKind.town)] == ["rongcheng"]
    assert assess(alone, policy=STANDARD_LINE).bottom(UnitKind.town) == ()


def test_ties_at_the_edge_are_broken_by_p_then_satisfaction_not_swept_in() -> None:
    # chengxi and yatou tie at 12.15: yatou's P (88) is lower than chengxi's (90), so yatou is worse.
    assert [u.unit for u in assess(*TOWNS).bottom(UnitKind.town)] == ["ningjin", "yatou", "chengxi"]
    # A third 12.15 with yatou's P and satisfaction: still exactly 3, the tie settled by the code.
    more = assess(*TOWNS, unit("wanglian", 150, 88, 12))
    assert [u.unit for u in more.bottom(UnitKind.town)] == ["ningjin", "wanglian", "yatou"]


def test_the_baseline_line() -> None:
    # Against the group's baseline: ningjin's P 85 is under C组's 90; yatou's 88 is at B组's baseline.
    baseline = POLICY.model_copy(update={"accountability": AccountabilityPolicy(line=NoticeLine.baseline)})
    assert [u.unit for u in assess(*TOWNS, policy=baseline).bottom(UnitKind.town)] == ["ningjin"]


def test_p_is_exact_from_the_counts() -> None:
    # The reviewer's case: satisfied 1 of 16, closure 0 of 8, 39 accepted and 1 returned, default
    # weights 0.7 / 0.2 / 0.1: P = 70 × 1/16 + 20 × 0 + 10 × 39/40 = 4.375 + 9.75 = 14.125 → 14.13
    # (half up). Through the float score it came out 14.12.
    counts = UnitCounts(unit="u", satisfied=1, dissatisfied=15, due=8, accepted=39, returned=1)
    assert performance_of(counts, IndicatorPolicy()) == Decimal("14.13")
    u = UnitMonth(unit="u", name="u", kind=UnitKind.town, cases=40, counts=counts)
    result = assess_month(
        AssessmentInput(month="2026-01", policy=POLICY, indicator_policy=IndicatorPolicy(), units=(u,))
    )
    assert row(result, "u").performance == Decimal("14.13")
    # Basically satisfied at a weight of 0.7 is 7/10 exactly: (1 + 0.7 × 1) / 2 = 0.85 → 85.00.
    half = IndicatorPolicy.model_validate(
        {"weights": {"satisfaction": 1, "closure": 0, "return": 0}, "basically_satisfied_weight": 0.7}
    )
    assert performance_of(UnitCounts(unit="u", satisfied=1, basically_satisfied=1), half) == Decimal("85.00")
    assert performance_of(UnitCounts(unit="u"), IndicatorPolicy()) is None


def test_groups_by_volume_and_an_empty_group() -> None:
    result = assess(
        unit("water", 10, 99, 1, UnitKind.department),
        unit("power", 200, 95, 5, UnitKind.department),  # exactly at B组's lower bound
        unit("transport", 900, 90, 10, UnitKind.department),
    )
    assert {u.unit: u.group for u in result.units} == {
        "water": "departments_d",
        "power": "departments_b",
        "transport": "departments_a",
    }
    groups = {g.code: g for g in result.groups}
    assert groups["departments_c"].units == ()  # empty: listed, nothing else follows
    assert (groups["departments_c"].min_cases, groups["departments_c"].max_cases) == (50, 199)
    assert groups["departments_a"].max_cases is None
    assert groups["towns_a"].units == ()
    # Departments are ranked among themselves: water (P 99 > 98: +0.4, +0.01) = 12.41; power
    # (P 95 within 89..96, +0.2) = 12.20; transport (P 90 within 87..95, +0.5 capped) = 12.50.
    assert [(u.unit, u.score, u.rank) for u in result.units] == [
        ("transport", Decimal("12.50"), 1),
        ("water", Decimal("12.41"), 2),
        ("power", Decimal("12.20"), 3),
    ]


def test_full_marks_cap_and_zero_floor() -> None:
    generous = POLICY.model_copy(update={"standard_points": Decimal("13.5")})
    top = row(assess(TOWNS[0], policy=generous), "rongcheng")  # 13.5 + 1 + 0.4 + 0.14 = 15.04
    assert top.score == Decimal("14.00")
    assert top.reasons[-1].code is ReasonCode.capped_at_full_marks and top.reasons[-1].points == Decimal("-1.04")
    harsh = POLICY.model_copy(update={"standard_points": Decimal(2)})
    low = row(assess(TOWNS[3], policy=harsh), "ningjin")  # 2 − 2.5 + 0.05 − 0.52 = −0.97
    assert low.score == Decimal("0.00") and low.reasons[-1].code is ReasonCode.floored_at_zero


def test_a_rerun_gives_the_same_result_to_the_digit() -> None:
    first, again = assess(*TOWNS), assess(*reversed(TOWNS))
    assert first == again
    assert MonthlyAssessment.model_validate_json(first.model_dump_json()) == first


def test_the_shipped_policy_loads_with_3_town_and_4_department_groups() -> None:
    policy = load_assessment_policy(ROOT / "config" / "assessment.yaml")
    assert (len(policy.towns), len(policy.departments), policy.full_marks) == (3, 4, 14)
    # The defaults' maxima add up to full marks.
    assert (
        policy.standard_points + policy.performance.max_bonus + policy.volume.max_points + policy.whistle.max_bonus
        == 14
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("baseline: 90, bonus_line: 96", "baseline: 97, bonus_line: 96"),
            "towns[1] (code=towns_b): Value error, bonus_line 96 is below baseline 97",
        ),
        (
            ("min_cases: 200, baseline: 90", "min_cases: 600, baseline: 90"),
            "towns: Value error, groups must be listed by min_cases ascending",
        ),
        (("  step: 0.02", "  step: -1"), "whistle.step: Input should be greater than or equal to 0"),
    ],
)
def test_a_bad_policy_names_the_file_and_field(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    text = (ROOT / "config" / "assessment.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    bad = tmp_path / "assessment.yaml"
    bad.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as error:
        load_assessment_policy(bad)
    assert str(error.value).startswith(f"{bad}: ")
    assert message in str(error.value)


def test_months_step_over_the_year() -> None:
    assert (month_before("2026-01"), month_after("2025-12"), month_before("2026-10")) == (
        "2025-12",
        "2026-01",
        "2026-09",
    )


def test_months_are_counted_as_numbers_not_text() -> None:
    # As text "10000-01" sorts before "9999-12": a range ending in 9999 never ended.
    assert month_after("9999-12") == "10000-01" and month_count("9999-01", "9999-12") == 12
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_count("2026-02", "2025-11") == 0 and months_between("2026-02", "2025-11") == []
    assert month_minus("2026-01", 13) == "2024-12" and month_before("2026-01") == "2025-12"
