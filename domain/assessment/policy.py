"""The assessment's policy a city edits (``config/assessment.yaml``, whose comments give the formula
with its defaults), validated when it is loaded."""

from __future__ import annotations

import itertools
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.reference import CODE_PATTERN, UnitKind, parse_yaml

Points = Annotated[Decimal, Field(ge=0, le=100)]


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


class InactionPolicy(_Policy):
    """Typical inaction (典型不作为) cases marked against the unit in the month (ours: the report
    notifies them city-wide but gives no points)."""

    per_case: Points = Decimal("0.5")
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
    """The line a unit of the bottom must also be below to be noticed (``accountability.line``).
    The report names the bottom 3 every month (``none``, the default); a line is a city's own
    addition."""

    standard_points = "standard_points"
    """Its score is below ``standard_points``: it lost points on balance this month."""
    baseline = "baseline"
    """Its P is below its group's baseline."""
    none = "none"
    """No line: the bottom units are noticed whatever their score, as the report does (with few
    units assessed, a unit with full marks can be one of the "bottom 3")."""


class AccountabilityPolicy(_Policy):
    bottom: int = Field(default=3, ge=1, le=20)
    line: NoticeLine = NoticeLine.none
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


class FollowUpPolicy(_Policy):
    """The reminders of an interview's or referral's follow-up (ours: the report sets no times).
    Not part of a notice, so a change here never issues a correction."""

    hold_within_working_days: int = Field(default=10, ge=1, le=60)
    remind_before_due_working_days: int = Field(default=2, ge=0, le=30)


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
    inaction: InactionPolicy = InactionPolicy()
    """Absent from months assessed before it existed: they read back with the default, and had no
    marked case to count."""
    towns: tuple[Group, ...] = Field(min_length=1)
    departments: tuple[Group, ...] = Field(min_length=1)
    accountability: AccountabilityPolicy = AccountabilityPolicy()
    notices: NoticePolicy
    follow_up: FollowUpPolicy = FollowUpPolicy()
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
