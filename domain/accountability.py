"""Monthly accountability (问责): from a month's assessment and the bottom lists of the months before
it, the public notices (通报批评), interviews (约谈) and discipline referrals (纪委监委介入).

Rules (numbers from ``accountability`` in config/assessment.yaml, defaults 3 / 2 / 3, line none):

- The **bottom** of a kind is its 3 lowest-scoring assessed units (ties broken by the lower P,
  then the lower satisfaction rate, then the code: never more than 3), named every month as the
  report does (line ``none``). A city may add a ``line`` (``standard_points``: a score below the
  standard points; ``baseline``: P below the group's baseline), and then only the bottom units
  below it count. Every unit in it gets a **public notice**.
- A unit's **streak** is the number of consecutive calendar months, ending with this one, in which
  it was in the bottom of its kind. The months before come from the stored bottom lists
  (``MonthBottom``), each decided under that month's own policy and never recomputed: a policy
  change does not rewrite history. December → January is simply consecutive.
- A month with no stored bottom list (no assessment ran for it), or in which the unit was not
  assessed or not in the bottom, ends the streak: there is no evidence to carry it across. Missed
  months are backfilled in order by the monthly workflow, so a gap means a month never assessed.
- Streak 2 → **interview** as well; streak 3 or more → **discipline referral** as well, again each
  further month (4, 5, … months in a row), its evidence listing the whole streak. An interview is
  not repeated once the matter is with the discipline commission. Each interview and referral is
  then followed up (``domain.follow_up``).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from domain.assessment import Month, MonthlyAssessment, UnitAssessment, month_before
from domain.reference import UnitKind


class Step(StrEnum):
    public_notice = "public_notice"  # 通报批评
    interview = "interview"  # 约谈
    discipline_referral = "discipline_referral"  # 纪委监委介入


STEP_NAME = {Step.public_notice: "通报批评", Step.interview: "约谈", Step.discipline_referral: "纪委监委介入"}


class BottomEntry(BaseModel):
    """A unit in a month's bottom, with the figures that put it there."""

    model_config = ConfigDict(frozen=True)
    month: Month
    unit: str
    name: str
    kind: UnitKind
    group_name: str
    score: Decimal
    rank: int
    assessed_in_kind: int


class MonthBottom(BaseModel):
    """A month's bottom lists (both kinds), as stored when that month was assessed."""

    model_config = ConfigDict(frozen=True)
    month: Month
    entries: tuple[BottomEntry, ...]


class AccountabilityInput(BaseModel):
    assessment: MonthlyAssessment
    history: tuple[MonthBottom, ...]
    """Stored bottom lists of earlier months, any order; months at or after this one are ignored
    (a re-run of a past month does not look ahead)."""

    @model_validator(mode="after")
    def _each_month_once(self) -> AccountabilityInput:
        months = [m.month for m in self.history]
        if len(set(months)) != len(months):
            raise ValueError("a month appears twice in the accountability history")
        return self


class AccountabilityAction(BaseModel):
    model_config = ConfigDict(frozen=True)
    month: Month
    step: Step
    unit: str
    name: str
    kind: UnitKind
    streak: int
    """Consecutive calendar months in the bottom, this one included."""
    evidence: tuple[BottomEntry, ...]
    """The streak's months, oldest first, this month last."""
    assessment: UnitAssessment
    """This month's full figures and reasons for the unit."""

    @property
    def key(self) -> str:
        """Stable per month, unit and step: a re-run of the month finds the same action."""
        return f"{self.month}:{self.unit}:{self.step}"


class MonthAccountability(BaseModel):
    model_config = ConfigDict(frozen=True)
    month: Month
    bottom: MonthBottom
    """To store: the next months' streaks are read from it."""
    actions: tuple[AccountabilityAction, ...]
    """Towns then departments, worst first; per unit: notice, then interview or referral."""


def _entry(month: str, u: UnitAssessment) -> BottomEntry:
    assert u.score is not None and u.rank is not None  # the bottom holds assessed units only
    return BottomEntry(
        month=month,
        unit=u.unit,
        name=u.name,
        kind=u.kind,
        group_name=u.group_name,
        score=u.score,
        rank=u.rank,
        assessed_in_kind=u.assessed_in_kind,
    )


def hold_accountable(inp: AccountabilityInput) -> MonthAccountability:
    assessment = inp.assessment
    month, rules = assessment.month, assessment.policy.accountability
    earlier = {m.month: {e.unit: e for e in m.entries} for m in inp.history if m.month < month}
    bottom = [u for kind in UnitKind for u in assessment.bottom(kind)]
    actions: list[AccountabilityAction] = []
    for u in bottom:
        streak = [_entry(month, u)]
        previous = month_before(month)
        while u.unit in earlier.get(previous, {}):
            streak.insert(0, earlier[previous][u.unit])
            previous = month_before(previous)
        steps = [Step.public_notice]
        if len(streak) >= rules.referral_after:
            steps.append(Step.discipline_referral)
        elif len(streak) >= rules.interview_after:
            steps.append(Step.interview)
        actions += [
            AccountabilityAction(
                month=month,
                step=step,
                unit=u.unit,
                name=u.name,
                kind=u.kind,
                streak=len(streak),
                evidence=tuple(streak),
                assessment=u,
            )
            for step in steps
        ]
    return MonthAccountability(
        month=month,
        bottom=MonthBottom(month=month, entries=tuple(_entry(month, u) for u in bottom)),
        actions=tuple(actions),
    )
