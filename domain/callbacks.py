"""Callback visits (回访): the policy a city edits, when each attempt falls due, and which numbers
can be dialled.

Every citizen of a replied case is visited: one visit per request of the case, per round (a
reopened case is visited again after its new reply). A visit is tried up to ``attempts`` times,
spread evenly over ``within_working_days`` working days; an attempt falls due at the same local
time of day as the reply, on the working day its share of the spread reaches. A citizen still
unreachable after the last attempt is recorded as unreachable. Each answer also says whether the
matter was solved (solved / partly / not solved). A dissatisfied answer, and where the policy says
so a "not solved" one, reopens the case (重办) to the same unit, at most ``reopen_limit`` times;
after that it closes as it stands.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import WorkingCalendar
from domain.reference import parse_yaml


class CallbackPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    attempts: int = Field(default=3, ge=1, le=10)
    """Tries to reach a citizen before the visit is recorded as unreachable."""
    within_working_days: int = Field(default=2, ge=0, le=20)
    """The tries are spread over this many working days after the reply."""
    reopen_limit: int = Field(default=1, ge=0, le=5)
    """How many times a dissatisfied answer reopens the case (重办)."""
    reopen_on_not_solved: bool = True
    """A "not solved" answer reopens the case like a dissatisfied one (within ``reopen_limit``)."""
    visit_first_contact: bool = True
    """Citizens whose request the centre answered at first contact are visited back too."""


def load_callback_policy(path: Path) -> CallbackPolicy:
    return parse_yaml(CallbackPolicy, path)


class CallbackPlan(BaseModel):
    """One round's visits, as the workflow follows them: when each attempt falls due (UTC) and how
    many reopens the policy allows. Computed in an activity and so recorded in the case's history:
    a later policy or calendar edit never changes a round already planned."""

    attempt_due: list[datetime]
    """Empty: no visit this round (the policy visits no one answered at first contact)."""
    reopen_limit: int
    reopen_on_not_solved: bool = False
    """False on plans recorded before the question was asked."""


def plan_visits(
    replied_at: datetime, policy: CallbackPolicy, calendar: WorkingCalendar, zone: ZoneInfo, first_contact: bool = False
) -> CallbackPlan:
    """The first attempt at the reply; attempt k (k ≥ 2) on working day ⌈(k-1)·W/(N-1)⌉ after it."""
    if first_contact and not policy.visit_first_contact:
        return CallbackPlan(attempt_due=[], reopen_limit=policy.reopen_limit)
    due = [replied_at]
    for k in range(2, policy.attempts + 1):
        days = math.ceil((k - 1) * policy.within_working_days / (policy.attempts - 1))
        due.append(calendar.same_time_working_days_after(replied_at, days, zone) if days else replied_at)
    return CallbackPlan(
        attempt_due=due, reopen_limit=policy.reopen_limit, reopen_on_not_solved=policy.reopen_on_not_solved
    )


_SEPARATORS = re.compile(r"[\s()-]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")


def dialable(phone: str) -> str | None:
    """The number to dial (mainland mobile or landline with area code), or None when it cannot be
    dialled: a visit to it is recorded as unreachable at once instead of retried."""
    digits = _SEPARATORS.sub("", phone)
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits if _MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits) else None
