"""The monthly assessment (月度考核, 14 points of a unit's annual assessment): the policy a city edits
(``config/assessment.yaml``, whose comments give the formula with its defaults) and the pure
computation of every unit's group, score, rank and reasons for one month.

Exactness: every figure is a ``Decimal``; the performance score P (0..100) and each component are
rounded to 2 decimals half up, so the reasons' points add up to the score and a re-run of a month
on the same figures and policy gives the same result, digit for digit.
"""

from __future__ import annotations

import itertools
import math
from datetime import UTC, date, datetime, time, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.indicators import IndicatorPolicy, UnitCounts, UnitIndicators, competition_ranks, indicators_of
from domain.reference import CODE_PATTERN, UnitKind, parse_yaml

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A calendar month, ``YYYY-MM``."""

IndicatorPolicyField = IndicatorPolicy
"""The ranking policy; its weights dump by alias (``return``, ``Weights(serialize_by_alias=True)``),
so that it reads back, in JSON and through Temporal."""

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
Points = Annotated[Decimal, Field(ge=0, le=100)]


def month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PerformancePolicy(_Policy):
    deduct_per_point: Points = Decimal("0.5")
    max_deduction: Points = Decimal(8)
    bonus_per_point: Points = Decimal("0.4")
    max_bonus: Points = Decimal(1)


class VolumePolicy(_Policy):
    points_per_100_cases: Points = Decimal("0.1")
    max_points: Points = Decimal("0.5")


class WhistlePolicy(_Policy):
    speed_weight: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.5")
    quality_weight: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.5")
    neutral: Annotated[Decimal, Field(ge=1, le=5)] = Decimal(3)
    step: Points = Decimal("0.02")
    max_bonus: Points = Decimal("0.5")
    max_deduction: Points = Decimal("0.5")

    @model_validator(mode="after")
    def _weights_add_up(self) -> WhistlePolicy:
        if self.speed_weight + self.quality_weight != 1:
            raise ValueError("speed_weight and quality_weight must add up to 1")
        return self


class SlipPolicy(_Policy):
    reminder: Points = Decimal("0.02")
    supervision: Points = Decimal("0.1")
    warning: Points = Decimal("0.3")
    max_deduction: Points = Decimal(2)


class Group(_Policy):
    code: Annotated[str, Field(pattern=CODE_PATTERN)]
    name: str = Field(min_length=1)
    min_cases: int = Field(ge=0)
    baseline: Points
    bonus_line: Points

    @model_validator(mode="after")
    def _lines_in_order(self) -> Group:
        if self.bonus_line < self.baseline:
            raise ValueError(f"bonus_line {self.bonus_line} is below baseline {self.baseline}")
        return self


class NoticeLine(StrEnum):
    """The line a unit of the bottom must also be below to be noticed (``accountability.line``)."""

    standard_points = "standard_points"
    """Its score is below ``standard_points``: it lost points on balance this month."""
    baseline = "baseline"
    """Its P is below its group's baseline."""
    none = "none"
    """No line: the bottom units are noticed whatever their score (not advised: with few units
    assessed, a unit with full marks can be one of the "bottom 3")."""


class AccountabilityPolicy(_Policy):
    bottom: int = Field(default=3, ge=1, le=20)
    line: NoticeLine = NoticeLine.standard_points
    interview_after: int = Field(default=2, ge=2, le=12)
    referral_after: int = Field(default=3, ge=3, le=12)

    @model_validator(mode="after")
    def _steps_in_order(self) -> AccountabilityPolicy:
        if self.referral_after <= self.interview_after:
            raise ValueError("referral_after must be greater than interview_after")
        return self


class NoticePolicy(_Policy):
    issuer: str = Field(min_length=1)
    recipients: str = Field(min_length=1)
    rectify_within_working_days: int = Field(ge=1, le=60)


class RisingPolicy(_Policy):
    factor: Annotated[Decimal, Field(gt=1, le=100)] = Decimal("1.5")
    previous_months: int = Field(default=3, ge=1, le=12)
    min_requests: int = Field(default=10, ge=1)


class AnalysisPolicy(_Policy):
    top_dissatisfied: int = Field(default=10, ge=1, le=100)
    rising: RisingPolicy = RisingPolicy()


class AssessmentPolicy(_Policy):
    """The whole of ``config/assessment.yaml``."""

    full_marks: Points = Decimal(14)
    standard_points: Points = Decimal(12)
    performance: PerformancePolicy = PerformancePolicy()
    volume: VolumePolicy = VolumePolicy()
    whistle: WhistlePolicy = WhistlePolicy()
    slips: SlipPolicy = SlipPolicy()
    towns: tuple[Group, ...] = Field(min_length=1)
    departments: tuple[Group, ...] = Field(min_length=1)
    accountability: AccountabilityPolicy = AccountabilityPolicy()
    notices: NoticePolicy
    analysis: AnalysisPolicy = AnalysisPolicy()

    @field_validator("towns", "departments")
    @classmethod
    def _groups_cover_every_volume(cls, groups: tuple[Group, ...]) -> tuple[Group, ...]:
        if groups[0].min_cases != 0:
            raise ValueError("the first group must start at min_cases 0, so that every unit has a group")
        for before, after in itertools.pairwise(groups):
            if after.min_cases <= before.min_cases:
                raise ValueError(f"groups must be listed by min_cases ascending ({after.code} after {before.code})")
        if len({g.code for g in groups}) != len(groups):
            raise ValueError("group codes must be unique")
        return groups

    @model_validator(mode="after")
    def _standard_within_full_marks(self) -> AssessmentPolicy:
        if self.standard_points > self.full_marks:
            raise ValueError(f"standard_points {self.standard_points} exceed full_marks {self.full_marks}")
        if {g.code for g in self.towns} & {g.code for g in self.departments}:
            raise ValueError("a group code is used for towns and for departments")
        return self

    def groups(self, kind: UnitKind) -> tuple[Group, ...]:
        return self.towns if kind is UnitKind.town else self.departments


def load_assessment_policy(path: Path) -> AssessmentPolicy:
    return parse_yaml(AssessmentPolicy, path)


class UnitMonth(BaseModel):
    """What the database supplies for one unit and month."""

    model_config = ConfigDict(frozen=True)
    unit: str
    name: str
    """The unit's Chinese name (reference data), carried so that results and notices stand alone."""
    kind: UnitKind
    cases: int = Field(ge=0)
    """The month's case volume: cases the unit accepted (签收), or shared by a whistle it
    responded to, in the month. Decides the group and the volume points."""
    counts: UnitCounts
    """The month's counts for the three indicators (domain/indicators.py), for P."""
    ratings: int = Field(default=0, ge=0)
    """Whistle ratings the unit received as a responding unit in the month (rated in the month)."""
    speed_total: int = Field(default=0, ge=0)
    """Sum of those ratings' speed scores (1..5 each)."""
    quality_total: int = Field(default=0, ge=0)
    """Sum of those ratings' quality scores (1..5 each)."""
    reminder_slips: int = Field(default=0, ge=0)
    supervision_slips: int = Field(default=0, ge=0)
    warning_slips: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _totals_fit_ratings(self) -> UnitMonth:
        for total in (self.speed_total, self.quality_total):
            if not self.ratings <= total <= 5 * self.ratings:
                raise ValueError(f"{self.unit}: rating totals must lie between 1 and 5 per rating")
        return self


class ReasonCode(StrEnum):
    standard = "standard"
    below_baseline = "below_baseline"
    within_band = "within_band"
    above_bonus_line = "above_bonus_line"
    case_volume = "case_volume"
    whistle_ratings = "whistle_ratings"
    supervision_slips = "supervision_slips"
    capped_at_full_marks = "capped_at_full_marks"
    floored_at_zero = "floored_at_zero"
    not_assessed = "not_assessed"


class Reason(BaseModel):
    """One line of a unit's score: its points (signed) and the figures they were computed from."""

    model_config = ConfigDict(frozen=True)
    code: ReasonCode
    text: str
    """Chinese, with the figures."""
    points: Decimal
    figures: dict[str, str]
    """The inputs of this line, as exact decimal strings."""


class UnitAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)
    unit: str
    name: str
    kind: UnitKind
    group: str
    group_name: str
    cases: int
    indicators: UnitIndicators
    performance: Decimal | None
    """P: the performance score × 100, 2 decimals; None: not assessed."""
    score: Decimal | None
    """Out of full marks, 2 decimals; None: not assessed (no cases)."""
    rank: int | None
    """Among the assessed units of the same kind, best first; ties share a rank (1, 2, 2, 4)."""
    assessed_in_kind: int
    """How many units of this kind were assessed: the rank is out of this."""
    reasons: tuple[Reason, ...]


class GroupSummary(BaseModel):
    model_config = ConfigDict(frozen=True)
    kind: UnitKind
    code: str
    name: str
    min_cases: int
    max_cases: int | None
    """Inclusive; None for the busiest group."""
    baseline: Decimal
    bonus_line: Decimal
    units: tuple[str, ...]
    """May be empty: no unit had this volume this month."""


class AssessmentInput(BaseModel):
    month: Month
    policy: AssessmentPolicy
    indicator_policy: IndicatorPolicyField
    units: tuple[UnitMonth, ...]

    @model_validator(mode="after")
    def _each_unit_once(self) -> AssessmentInput:
        codes = [u.unit for u in self.units]
        if len(set(codes)) != len(codes):
            raise ValueError("a unit appears twice in the month's figures")
        return self


class MonthlyAssessment(BaseModel):
    """One month's result, with the policies it was computed under (kept for audit and streaks)."""

    model_config = ConfigDict(frozen=True)
    month: Month
    policy: AssessmentPolicy
    indicator_policy: IndicatorPolicyField
    groups: tuple[GroupSummary, ...]
    units: tuple[UnitAssessment, ...]
    """Towns then departments, each best first, the unassessed last (by code)."""

    def bottom(self, kind: UnitKind) -> tuple[UnitAssessment, ...]:
        """At most ``bottom`` assessed units of ``kind``, worst first: the lowest scores, ties
        broken by the lower P, then the lower satisfaction rate (none counts lowest), then the
        code, so that exactly ``bottom`` are taken, never a sweep of tied units; of those, only
        the ones below the policy's ``line`` (by default: a score below ``standard_points``)."""
        rules = self.policy.accountability
        scored = sorted((u for u in self.units if u.kind is kind and u.score is not None), key=_worst_first)
        return tuple(u for u in scored[: rules.bottom] if _below_line(u, self))


def _worst_first(u: UnitAssessment) -> tuple[Decimal, Decimal, int, float, str]:
    rate = u.indicators.satisfaction_rate
    return (u.score or Decimal(0), u.performance or Decimal(0), rate is not None, rate or 0.0, u.unit)


def _below_line(u: UnitAssessment, result: MonthlyAssessment) -> bool:
    line = result.policy.accountability.line
    if line is NoticeLine.standard_points:
        return u.score is not None and u.score < result.policy.standard_points
    if line is NoticeLine.baseline:
        group = next(g for g in result.groups if g.kind is u.kind and g.code == u.group)
        return u.performance is not None and u.performance < group.baseline
    return True


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


def month_bounds(month: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a month in the city's zone, as UTC-aware instants."""
    start = datetime.combine(date.fromisoformat(f"{month}-01"), time(0), tzinfo=zone)
    end = datetime.combine(date.fromisoformat(f"{month_after(month)}-01"), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def months_between(first: str, last: str) -> list[str]:
    """``first`` to ``last`` inclusive, in order (empty when ``last`` is before ``first``)."""
    months = []
    while first <= last:
        months.append(first)
        first = month_after(first)
    return months


def month_minus(month: str, n: int) -> str:
    for _ in range(n):
        month = month_before(month)
    return month


def months_to_assess(target: str, catch_up_months: int, assessed: set[str], rerun: bool) -> list[str]:
    """The months a run assesses, oldest first. Streaks run forward, so a month assessed again is
    followed by every later month it can change:

    - a leader's re-run of ``target`` (a data correction): the target, then every later month
      already assessed (and any assessed meanwhile: each month's step says which month follows it);
    - any other run (scheduled, backfilled, triggered, or for an explicit month): the months of the
      catch-up window and the target that have no assessment yet, oldest first. A month already
      assessed is never assessed again outside a leader's re-run: its notices went out, and only
      a recorded re-run may change them.
    """
    if rerun:
        return [target, *sorted(m for m in assessed if m > target)]
    window = months_between(month_minus(target, catch_up_months), target)
    return [m for m in window if m not in assessed]


class MonthlyAssessmentInput(BaseModel):
    """The monthly assessment workflow's input. No ``month``: the month before the local date the
    run was scheduled for, with the missed months of the catch-up window before it."""

    month: Month | None = None
    catch_up_months: int = Field(default=3, ge=0, le=24)
    rerun_id: int | None = None
    """A leader's re-run (``assessment_reruns`` row): ``month`` and every later assessed month are
    assessed again and the changes recorded on that row."""


class MonthsToAssessInput(BaseModel):
    scheduled_at: datetime
    month: Month | None
    catch_up_months: int
    rerun: bool


class AssessMonthInput(BaseModel):
    month: Month
    rerun_id: int | None = None


class MonthAssessed(BaseModel):
    """What a month's step did, for the run's result in the UI."""

    month: Month
    units_assessed: int
    actions: int
    changed_units: tuple[str, ...]
    """Units whose score, rank or actions differ from what was stored before (empty on a first run)."""
    already_assessed: bool = False
    """Not a leader's re-run, and the month was found assessed (by another run, or by this step
    before a restart): kept as stored, nothing sent."""
    next_assessed: Month | None = None
    """The first later month with an assessment when this one was stored: a re-run goes on to it."""
    failed: str | None = None
    """The month could not be assessed (its data fails validation); set by the run, not the step."""
