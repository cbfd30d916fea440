"""The three indicators per unit (满意率 satisfaction, 结案率 closure, 退办率 return), on-time rate
and handling time, the score that weighs them, and the ranking of units.

Definitions, for a unit U and a period P of whole local days (a day, or the month to date):

- **Responsibility.** A case counts for its lead unit (the unit it is dispatched to) and, sharing
  the responsibility in full (部门与镇街同责), for every unit that a whistle summoned to it and that
  responded (报到). A summoned unit that declined and was released does not share it.
- **Satisfaction rate** = (S + b·B) ÷ (S + B + D), over the final answers of the citizens of U's
  cases that closed in P: S satisfied, B basically satisfied, D dissatisfied; b is the policy's
  ``basically_satisfied_weight`` (1 by default: basically satisfied counts as satisfied). Each
  citizen (request) of a merged case counts once; the answers of a reopened case's last round
  count, not the dissatisfied answer that reopened it. Unreachable citizens gave no answer: they
  are in neither numerator nor denominator (their count is reported beside the rate).
- **Closure rate** = of U's cases whose handling deadline fell in P, the share U had replied to
  (办结) by the end of P, late or not. The callback that follows is the citizen's verdict, counted
  in satisfaction; closure is the unit's part.
- **Return rate** = of the dispatched cases U decided on in P (signed 签收 or returned 退办), the
  share it returned. Only the lead unit decides; whistles do not count here.
- **On-time rate** = of U's cases replied in P, the share replied by the deadline in force (after
  approved extensions). **Handling time** = mean working days from receipt to reply of those cases.
- **Response rate** (响应率) = of U's dispatches that met their acceptance limit in P, the share
  signed (签收) in time: T ÷ (T + L), T the signatures in P before any acceptance slip on the case to
  U, L the acceptance slips issued to U in P. Each dispatch counts once: in time when signed, late
  when its slip went out (a late signature does not count again).
- **Resolution rate** (解决率) = (S + p·P) ÷ (S + P + N), over the same final answers as
  satisfaction, to the second question "was it solved": S solved, P partly, N not solved; p is the
  policy's ``partly_solved_weight``.
- **Citizen on-time rate** (按期办结率) = of U's cases replied in P that run on the citizen's clock,
  the share replied by the citizen's deadline, counted from receipt.
- **First-contact resolution rate** (初信初访化解率) = of U's cases closed in P (suggestions and
  praise, which are only forwarded, aside), the share resolved in their first round: never reopened
  and no citizen dissatisfied or "not solved". A case the centre answered at first contact has no
  unit: it counts for the city, the town and the domain, not for a unit.

A rate with an empty denominator is undefined (None), not zero: a unit with no cases due is not
punished or rewarded for it. The **score** is the weighted mean of the defined indicators, the
return rate entering as 1 − rate, with the weights of the defined ones scaled up to sum to 1. A
unit with no defined indicator is not ranked. Ranks are 1, 2, 2, 4 for ties (scores compared to
four decimals); towns and departments are ranked among themselves and all together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.reference import UnitKind, parse_yaml


class Weights(BaseModel):
    # Dumped as written in config/ranking.yaml (``return``), so that a stored policy reads back.
    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True)
    satisfaction: float = Field(default=0.7, ge=0, le=1)
    closure: float = Field(default=0.2, ge=0, le=1)
    return_: float = Field(default=0.1, ge=0, le=1, alias="return")
    on_time: float = Field(default=0.0, ge=0, le=1)
    response: float = Field(default=0.0, ge=0, le=1)
    resolution: float = Field(default=0.0, ge=0, le=1)
    citizen_on_time: float = Field(default=0.0, ge=0, le=1)
    first_contact: float = Field(default=0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> Weights:
        total = sum(self.model_dump().values())
        if abs(total - 1) > 1e-9:
            raise ValueError(f"the weights add up to {total:g}; they must add up to 1")
        return self


class IndicatorPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    weights: Weights = Weights()
    basically_satisfied_weight: float = Field(default=1.0, ge=0, le=1)
    partly_solved_weight: float = Field(default=0.5, ge=0, le=1)


def load_indicator_policy(path: Path) -> IndicatorPolicy:
    return parse_yaml(IndicatorPolicy, path)


class UnitCounts(BaseModel):
    """What the database counts for one unit (or town, domain, the city: ``unit`` is then its
    code) and period; every rate is a ratio of two of these."""

    unit: str
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    unreachable: int = 0
    due: int = 0
    closed_by_end: int = 0
    accepted: int = 0
    returned: int = 0
    replied: int = 0
    on_time: int = 0
    handling_days: int = 0
    """Sum of working days from receipt to reply over the cases replied in the period."""
    accepted_in_time: int = 0
    acceptance_slips: int = 0
    solved: int = 0
    partly_solved: int = 0
    not_solved: int = 0
    citizen_clocked: int = 0
    """Cases replied in the period that run on the citizen's clock."""
    citizen_on_time: int = 0
    closed: int = 0
    """Cases closed in the period that count for first-contact resolution."""
    resolved_first_time: int = 0
    answered_first_contact: int = 0
    """Of ``closed``, those the centre answered at first contact."""


class UnitIndicators(BaseModel):
    unit: str
    kind: UnitKind
    counts: UnitCounts
    satisfaction_rate: float | None
    closure_rate: float | None
    return_rate: float | None
    on_time_rate: float | None
    response_rate: float | None = None
    resolution_rate: float | None = None
    citizen_on_time_rate: float | None = None
    first_contact_rate: float | None = None
    average_handling_days: float | None
    score: float | None
    rank_all: int | None = None
    rank_in_kind: int | None = None


def ratio(numerator: float, denominator: int) -> float | None:
    """A rate, or None when nothing was counted (never 0)."""
    return numerator / denominator if denominator else None


def indicators_of(counts: UnitCounts, kind: UnitKind, policy: IndicatorPolicy) -> UnitIndicators:
    c = counts
    satisfaction = ratio(
        c.satisfied + policy.basically_satisfied_weight * c.basically_satisfied,
        c.satisfied + c.basically_satisfied + c.dissatisfied,
    )
    closure = ratio(c.closed_by_end, c.due)
    return_rate = ratio(c.returned, c.accepted + c.returned)
    on_time = ratio(c.on_time, c.replied)
    response = ratio(c.accepted_in_time, c.accepted_in_time + c.acceptance_slips)
    resolution = ratio(
        c.solved + policy.partly_solved_weight * c.partly_solved, c.solved + c.partly_solved + c.not_solved
    )
    citizen_on_time = ratio(c.citizen_on_time, c.citizen_clocked)
    first_contact = ratio(c.resolved_first_time, c.closed)
    w = policy.weights
    parts = [
        (w.satisfaction, satisfaction),
        (w.closure, closure),
        (w.return_, None if return_rate is None else 1 - return_rate),
        (w.on_time, on_time),
        (w.response, response),
        (w.resolution, resolution),
        (w.citizen_on_time, citizen_on_time),
        (w.first_contact, first_contact),
    ]
    defined = [(weight, value) for weight, value in parts if value is not None and weight > 0]
    total = sum(weight for weight, _ in defined)
    return UnitIndicators(
        unit=c.unit,
        kind=kind,
        counts=c,
        satisfaction_rate=satisfaction,
        closure_rate=closure,
        return_rate=return_rate,
        on_time_rate=on_time,
        response_rate=response,
        resolution_rate=resolution,
        citizen_on_time_rate=citizen_on_time,
        first_contact_rate=first_contact,
        average_handling_days=ratio(c.handling_days, c.replied),
        score=sum(weight * value for weight, value in defined) / total if total else None,
    )


def competition_ranks[S: (float, Decimal)](scores: Iterable[tuple[str, S]]) -> dict[str, int]:
    """1, 2, 2, 4: a unit's rank is 1 + the number of units with a strictly higher score."""
    ordered = sorted(scores, key=lambda item: (-item[1], item[0]))
    ranks: dict[str, int] = {}
    for position, (unit, score) in enumerate(ordered, 1):
        ranks[unit] = (
            ranks[ordered[position - 2][0]] if position > 1 and ordered[position - 2][1] == score else position
        )
    return ranks


def _ranks(units: list[UnitIndicators]) -> dict[str, int]:
    """Competition ranks of the scored units, best score first."""
    return competition_ranks((u.unit, round(u.score, 4)) for u in units if u.score is not None)


def rank_units(units: list[UnitIndicators]) -> list[UnitIndicators]:
    """The units with their ranks among all units and among their kind, best first, the unranked
    last (by code)."""
    overall = _ranks(units)
    in_kind = {unit: r for kind in UnitKind for unit, r in _ranks([u for u in units if u.kind is kind]).items()}
    ranked = [
        u.model_copy(update={"rank_all": overall.get(u.unit), "rank_in_kind": in_kind.get(u.unit)}) for u in units
    ]
    return sorted(ranked, key=lambda u: (u.rank_all is None, u.rank_all or 0, u.unit))


class Scope(StrEnum):
    """What a figure is counted for: each unit (with the units that share its cases), each town
    (the cases of the town's citizens), each domain, or the whole city."""

    unit = "unit"
    town = "town"
    domain = "domain"
    city = "city"


CITY = "city"
"""The key of the city's own figures."""


class Period(StrEnum):
    day = "day"
    month = "month"
    """From the first of the day's month up to and including the day."""


def period_bounds(day: date, period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the period ending with local ``day``, as UTC-aware instants."""
    first = day.replace(day=1) if period is Period.month else day
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def days_to_rank(target: date, catch_up_days: int, ranked: set[date]) -> list[date]:
    """The target day, always (computing it again is harmless), and the days before it within the
    catch-up window that have no ranking yet: a day missed while the worker or server was down."""
    window = [target - timedelta(days=n) for n in range(catch_up_days, 0, -1)]
    return [d for d in window if d not in ranked] + [target]


class RankingInput(BaseModel):
    """The daily ranking workflow's input. No ``day``: the day before the scheduled run's local date."""

    day: date | None = None
    catch_up_days: int = Field(default=7, ge=0, le=62)
