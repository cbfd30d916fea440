"""The monthly assessment (月度考核, 14 points of a unit's annual assessment): the policy a city edits
(``config/assessment.yaml``, whose comments give the formula with its defaults) and the pure
computation of every unit's group, score, rank and reasons for one month.

Exactness: every figure is a ``Decimal``; the performance score P (0..100) and each component are
rounded to 2 decimals half up, so the reasons' points add up to the score and a re-run of a month
on the same figures and policy gives the same result, digit for digit.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from domain.assessment.model import (
    AssessmentInput,
    GroupSummary,
    MonthlyAssessment,
    Reason,
    ReasonCode,
    UnitAssessment,
    UnitMonth,
)
from domain.assessment.policy import (
    AssessmentPolicy,
    Group,
    InactionPolicy,
    PerformancePolicy,
    SlipPolicy,
    VolumePolicy,
    WhistlePolicy,
)
from domain.indicators import IndicatorPolicy, UnitCounts, competition_ranks, indicators_of
from domain.reference import UnitKind

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _group_of(cases: int, groups: tuple[Group, ...]) -> Group:
    return [g for g in groups if g.min_cases <= cases][-1]


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def _performance_reason(p: Decimal, group: Group, policy: PerformancePolicy) -> Reason:
    figures = {"performance": _fmt(p), "baseline": _fmt(group.baseline), "bonus_line": _fmt(group.bonus_line)}
    if p < group.baseline:
        gap = group.baseline - p
        points = -_cents(min(policy.max_deduction, policy.deduct_per_point * gap))
        return Reason(
            code=ReasonCode.below_baseline,
            text=f"绩效得分{_fmt(p)}低于{group.name}基准线{_fmt(group.baseline)}，差{_fmt(gap)}个百分点，"
            f"每个百分点扣{_fmt(policy.deduct_per_point)}分（最多扣{_fmt(policy.max_deduction)}分），扣{_fmt(-points)}分",
            points=points,
            figures=figures | {"gap": _fmt(gap), "per_point": _fmt(policy.deduct_per_point)},
        )
    if p > group.bonus_line:
        gap = p - group.bonus_line
        points = _cents(min(policy.max_bonus, policy.bonus_per_point * gap))
        return Reason(
            code=ReasonCode.above_bonus_line,
            text=f"绩效得分{_fmt(p)}高于{group.name}奖分线{_fmt(group.bonus_line)}，超{_fmt(gap)}个百分点，"
            f"每个百分点加{_fmt(policy.bonus_per_point)}分（最多加{_fmt(policy.max_bonus)}分），加{_fmt(points)}分",
            points=points,
            figures=figures | {"gap": _fmt(gap), "per_point": _fmt(policy.bonus_per_point)},
        )
    return Reason(
        code=ReasonCode.within_band,
        text=f"绩效得分{_fmt(p)}不低于{group.name}基准线{_fmt(group.baseline)}、不高于奖分线{_fmt(group.bonus_line)}，不扣分不加分",
        points=Decimal("0.00"),
        figures=figures,
    )


def _volume_reason(cases: int, policy: VolumePolicy) -> Reason:
    points = _cents(min(policy.max_points, policy.points_per_100_cases * cases / HUNDRED))
    return Reason(
        code=ReasonCode.case_volume,
        text=f"本月案件量{cases}件，每100件加{_fmt(policy.points_per_100_cases)}分（最多加{_fmt(policy.max_points)}分），加{_fmt(points)}分",
        points=points,
        figures={"cases": str(cases), "per_100_cases": _fmt(policy.points_per_100_cases)},
    )


def _whistle_reason(u: UnitMonth, policy: WhistlePolicy) -> Reason:
    net = policy.speed_weight * u.speed_total + policy.quality_weight * u.quality_total - policy.neutral * u.ratings
    points = _cents(max(-policy.max_deduction, min(policy.max_bonus, policy.step * net)))
    mean_speed, mean_quality = (_cents(Decimal(total) / u.ratings) for total in (u.speed_total, u.quality_total))
    return Reason(
        code=ReasonCode.whistle_ratings,
        text=f"吹哨报到收到评价{u.ratings}次，平均速度{_fmt(mean_speed)}分、质量{_fmt(mean_quality)}分（基准{_fmt(policy.neutral)}分），"
        + (f"加{_fmt(points)}分" if points >= 0 else f"扣{_fmt(-points)}分"),
        points=points,
        figures={
            "ratings": str(u.ratings),
            "speed_total": str(u.speed_total),
            "quality_total": str(u.quality_total),
            "neutral": _fmt(policy.neutral),
            "step": _fmt(policy.step),
        },
    )


def _slip_reason(u: UnitMonth, policy: SlipPolicy) -> Reason:
    raw = (
        policy.reminder * u.reminder_slips + policy.supervision * u.supervision_slips + policy.warning * u.warning_slips
    )
    points = -_cents(min(policy.max_deduction, raw))
    return Reason(
        code=ReasonCode.supervision_slips,
        text=f"本月被发提示单{u.reminder_slips}张、督办单{u.supervision_slips}张、警示单{u.warning_slips}张"
        f"（最多扣{_fmt(policy.max_deduction)}分），扣{_fmt(-points)}分",
        points=points,
        figures={
            "reminder": str(u.reminder_slips),
            "supervision": str(u.supervision_slips),
            "warning": str(u.warning_slips),
        },
    )


def _inaction_reason(u: UnitMonth, policy: InactionPolicy) -> Reason:
    points = -_cents(min(policy.max_deduction, policy.per_case * u.inaction_cases))
    return Reason(
        code=ReasonCode.typical_inaction,
        text=f"本月被列为典型不作为案件{u.inaction_cases}件，每件扣{_fmt(policy.per_case)}分"
        f"（最多扣{_fmt(policy.max_deduction)}分），扣{_fmt(-points)}分",
        points=points,
        figures={"cases": str(u.inaction_cases), "per_case": _fmt(policy.per_case)},
    )


def _reasons(u: UnitMonth, p: Decimal, group: Group, policy: AssessmentPolicy) -> list[Reason]:
    reasons = [
        Reason(
            code=ReasonCode.standard,
            text=f"基础分{_fmt(policy.standard_points)}分（满分{_fmt(policy.full_marks)}分）",
            points=_cents(policy.standard_points),
            figures={"standard_points": _fmt(policy.standard_points), "full_marks": _fmt(policy.full_marks)},
        ),
        _performance_reason(p, group, policy.performance),
        _volume_reason(u.cases, policy.volume),
    ]
    if u.ratings:
        reasons.append(_whistle_reason(u, policy.whistle))
    if u.reminder_slips or u.supervision_slips or u.warning_slips:
        reasons.append(_slip_reason(u, policy.slips))
    if u.inaction_cases:
        reasons.append(_inaction_reason(u, policy.inaction))
    total = sum((r.points for r in reasons), Decimal(0))
    full = _cents(policy.full_marks)
    if total > full:
        reasons.append(
            Reason(
                code=ReasonCode.capped_at_full_marks,
                text=f"合计{_fmt(total)}分，超过满分，按满分{_fmt(full)}分计",
                points=full - total,
                figures={"total": _fmt(total), "full_marks": _fmt(full)},
            )
        )
    elif total < 0:
        reasons.append(
            Reason(
                code=ReasonCode.floored_at_zero,
                text=f"合计{_fmt(total)}分，低于0分，按0分计",
                points=-total,
                figures={"total": _fmt(total)},
            )
        )
    return reasons


def _fraction(weight: float) -> Fraction:
    """A policy weight as written (0.7 is 7/10, not the binary float nearest to it)."""
    return Fraction(Decimal(str(weight)))


def performance_of(counts: UnitCounts, policy: IndicatorPolicy) -> Decimal | None:
    """P exactly: the weighted mean of the defined indicators (domain/indicators.py) computed as
    fractions of the counts, × 100, rounded to 2 decimals half up; None when no indicator is
    defined. (The float score is for the daily ranking; rounding it to cents is wrong in the last
    digit for thousands of real count combinations.)"""
    c, w = counts, policy.weights
    b = _fraction(policy.basically_satisfied_weight)
    answered = c.satisfied + c.basically_satisfied + c.dissatisfied
    parts = [
        (w.satisfaction, Fraction(c.satisfied) + b * c.basically_satisfied, answered),
        (w.closure, Fraction(c.closed_by_end), c.due),
        (w.return_, Fraction(c.accepted), c.accepted + c.returned),  # 1 − return rate
        (w.on_time, Fraction(c.on_time), c.replied),
    ]
    defined = [(_fraction(weight), n / d) for weight, n, d in parts if d and weight > 0]
    total = sum((weight for weight, _ in defined), Fraction(0))
    if not total:
        return None
    cents = sum((weight * value for weight, value in defined), Fraction(0)) / total * 100 * 100
    return Decimal(math.floor(cents + Fraction(1, 2))) / 100  # half up (P ≥ 0)


def assess_month(inp: AssessmentInput) -> MonthlyAssessment:
    """Every unit's group, P, score and reasons for the month, and its rank within its kind."""
    policy = inp.policy
    rows: list[UnitAssessment] = []
    for u in inp.units:
        group = _group_of(u.cases, policy.groups(u.kind))
        indicators = indicators_of(u.counts, u.kind, inp.indicator_policy)
        exact = performance_of(u.counts, inp.indicator_policy)
        if exact is None:
            # Nothing to judge the unit on: no score is invented, neither full marks nor zero.
            p = score = None
            reasons = [
                Reason(
                    code=ReasonCode.not_assessed,
                    text=f"本月案件量{u.cases}件，无回访评价、无到期案件、无签收退办、无办结案件，绩效得分无从计算，本月不参加考核排名",
                    points=Decimal("0.00"),
                    figures={"cases": str(u.cases)},
                )
            ]
        else:
            p = _cents(exact)
            reasons = _reasons(u, p, group, policy)
            score = sum((r.points for r in reasons), Decimal("0.00"))
        rows.append(
            UnitAssessment(
                unit=u.unit,
                name=u.name,
                kind=u.kind,
                group=group.code,
                group_name=group.name,
                cases=u.cases,
                indicators=indicators,
                performance=p,
                score=score,
                rank=None,
                assessed_in_kind=0,
                reasons=tuple(reasons),
            )
        )

    ranked: list[UnitAssessment] = []
    for kind in UnitKind:
        of_kind = [r for r in rows if r.kind is kind]
        ranks = competition_ranks((r.unit, r.score) for r in of_kind if r.score is not None)
        ranked += sorted(
            (r.model_copy(update={"rank": ranks.get(r.unit), "assessed_in_kind": len(ranks)}) for r in of_kind),
            key=lambda r: (r.rank is None, r.rank or 0, r.unit),
        )

    groups = [
        GroupSummary(
            kind=kind,
            code=g.code,
            name=g.name,
            min_cases=g.min_cases,
            max_cases=nxt.min_cases - 1 if nxt else None,
            baseline=g.baseline,
            bonus_line=g.bonus_line,
            units=tuple(sorted(r.unit for r in rows if r.group == g.code)),
        )
        for kind in UnitKind
        for g, nxt in zip(policy.groups(kind), (*policy.groups(kind)[1:], None), strict=True)
    ]
    return MonthlyAssessment(
        month=inp.month, policy=policy, indicator_policy=inp.indicator_policy, groups=tuple(groups), units=tuple(ranked)
    )


# ---- The monthly workflow's plan and payloads ----
