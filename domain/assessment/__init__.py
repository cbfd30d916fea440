"""The monthly assessment (月度考核, 14 points of a unit's annual assessment): the policy a city edits
(``config/assessment.yaml``, whose comments give the formula with its defaults) and the pure
computation of every unit's group, score, rank and reasons for one month.

Exactness: every figure is a ``Decimal``; the performance score P (0..100) and each component are
rounded to 2 decimals half up, so the reasons' points add up to the score and a re-run of a month
on the same figures and policy gives the same result, digit for digit.

- ``policy``: the policy and its loader;
- ``months``: month arithmetic and which months a run assesses;
- ``model``: a unit's month, its assessment and reasons, the month's result, the workflow's inputs;
- ``scoring``: the computation (``assess_month``, ``performance_of``).

What the rest of Minsheng uses is imported here, so callers write ``from domain.assessment import ...``.
"""

from domain.assessment.model import (
    AssessmentInput,
    GroupSummary,
    MonthlyAssessment,
    MonthlyAssessmentInput,
    Reason,
    ReasonCode,
    UnitAssessment,
    UnitMonth,
)
from domain.assessment.months import (
    Month,
    month_after,
    month_before,
    month_bounds,
    month_count,
    month_minus,
    months_between,
    months_to_assess,
)
from domain.assessment.policy import (
    AccountabilityPolicy,
    AnalysisPolicy,
    AssessmentPolicy,
    FollowUpPolicy,
    Group,
    InactionPolicy,
    NoticeLine,
    NoticePolicy,
    PerformancePolicy,
    RisingPolicy,
    SlipPolicy,
    VolumePolicy,
    WhistlePolicy,
    load_assessment_policy,
)
from domain.assessment.scoring import (
    assess_month,
    performance_of,
)

__all__ = [
    "AccountabilityPolicy",
    "AnalysisPolicy",
    "AssessmentInput",
    "AssessmentPolicy",
    "FollowUpPolicy",
    "Group",
    "GroupSummary",
    "InactionPolicy",
    "Month",
    "MonthlyAssessment",
    "MonthlyAssessmentInput",
    "NoticeLine",
    "NoticePolicy",
    "PerformancePolicy",
    "Reason",
    "ReasonCode",
    "RisingPolicy",
    "SlipPolicy",
    "UnitAssessment",
    "UnitMonth",
    "VolumePolicy",
    "WhistlePolicy",
    "assess_month",
    "load_assessment_policy",
    "month_after",
    "month_before",
    "month_bounds",
    "month_count",
    "month_minus",
    "months_between",
    "months_to_assess",
    "performance_of",
]
