"""A month of made-up units for the assessment and accountability rules: the policy, unit figures, and
assessed months."""

from __future__ import annotations

from decimal import Decimal

from domain.accountability import (
    BottomEntry,
    MonthBottom,
)
from domain.assessment import (
    AssessmentInput,
    AssessmentPolicy,
    Group,
    MonthlyAssessment,
    UnitMonth,
    assess_month,
)
from domain.indicators import IndicatorPolicy, UnitCounts
from domain.reference import UnitKind

NOTICES = {
    "issuer": "荣成市社会治理服务中心",
    "recipients": "各镇（街道）、市直各有关部门",
    "rectify_within_working_days": 10,
}


ONLY_SATISFACTION = IndicatorPolicy.model_validate(
    {"weights": {"satisfaction": 1, "closure": 0, "return": 0, "on_time": 0}}
)


POLICY = AssessmentPolicy(
    towns=(
        Group(code="towns_c", name="镇街C组", min_cases=0, baseline=Decimal(90), bonus_line=Decimal(95)),
        Group(code="towns_b", name="镇街B组", min_cases=100, baseline=Decimal(88), bonus_line=Decimal(94)),
        Group(code="towns_a", name="镇街A组", min_cases=300, baseline=Decimal(85), bonus_line=Decimal(92)),
    ),
    departments=(
        Group(code="departments_d", name="部门D组", min_cases=0, baseline=Decimal(93), bonus_line=Decimal(98)),
        Group(code="departments_c", name="部门C组", min_cases=50, baseline=Decimal(91), bonus_line=Decimal(97)),
        Group(code="departments_b", name="部门B组", min_cases=200, baseline=Decimal(89), bonus_line=Decimal(96)),
        Group(code="departments_a", name="部门A组", min_cases=500, baseline=Decimal(87), bonus_line=Decimal(95)),
    ),
    notices=NOTICES,
)


def unit(
    code: str, cases: int, satisfied: int, dissatisfied: int, kind: UnitKind = UnitKind.town, **extra: int
) -> UnitMonth:

    return UnitMonth(
        unit=code,
        name=code,
        kind=kind,
        cases=cases,
        counts=UnitCounts(unit=code, satisfied=satisfied, dissatisfied=dissatisfied),
        **extra,
    )


def month_result(month: str, policy=POLICY) -> MonthlyAssessment:
    return assess_month(AssessmentInput(month=month, policy=policy, indicator_policy=ONLY_SATISFACTION, units=UNITS))


def stored(month: str, *units: str) -> MonthBottom:
    """A month's bottom list as it was stored then (figures as they were that month)."""
    return MonthBottom(
        month=month,
        entries=tuple(
            BottomEntry(
                month=month,
                unit=u,
                name=u,
                kind=UnitKind.town,
                group_name="镇街B组",
                score=Decimal("9.00"),
                rank=6,
                assessed_in_kind=6,
            )
            for u in units
        ),
    )


UNITS = (
    unit("rongcheng", 150, 96, 4),
    unit("shidao", 150, 95, 5),
    unit("renhe", 150, 94, 6),
    unit("yatou", 150, 87, 13),
    unit("chengxi", 150, 85, 15),
    unit("ningjin", 150, 80, 20),
    unit("health", 100, 99, 1, UnitKind.department),
    unit("transport", 100, 95, 5, UnitKind.department),
    unit("water", 100, 90, 10, UnitKind.department),
    unit("power", 100, 85, 15, UnitKind.department),
)
