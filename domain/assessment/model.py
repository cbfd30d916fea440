"""What the assessment takes and gives: a unit's month of figures, its assessment with the reasons,
the month's result; and the inputs and results of the monthly workflow and its steps."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.assessment.months import Month
from domain.assessment.policy import AssessmentPolicy, NoticeLine
from domain.indicators import IndicatorPolicy, UnitCounts, UnitIndicators
from domain.reference import UnitKind

IndicatorPolicyField = IndicatorPolicy
"""The ranking policy; its weights dump by alias (``return``, ``Weights(serialize_by_alias=True)``),
so that it reads back, in JSON and through Temporal."""


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
    inaction_cases: int = Field(default=0, ge=0)
    """Cases a leader marked as typical inaction (典型不作为) against the unit, counted in this month."""

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
    typical_inaction = "typical_inaction"
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
        the ones below the policy's ``line`` (by default none: all of them, as the report does)."""
        rules = self.policy.accountability
        scored = sorted((u for u in self.units if u.kind is kind and u.score is not None), key=_worst_first)
        return tuple(u for u in scored[: rules.bottom] if _below_line(u, self))


class MonthlyAssessmentInput(BaseModel):
    """The monthly assessment workflow's input. No ``month``: the month before the local date the
    run was scheduled for, with the missed months of the catch-up window before it."""

    month: Month | None = None
    catch_up_months: int = Field(default=3, ge=0, le=24)
    rerun_id: int | None = None
    """A leader's re-run (``assessment_reruns`` row): ``month`` and every later assessed month are
    assessed again and the changes recorded on that row."""


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
