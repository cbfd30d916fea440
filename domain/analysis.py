"""Analysis (分析研判): whole classes of problems, month by month, so that a class gets solved and not
only its cases.

From monthly counts per matter type and town (``MatterMonth``) over a period of whole months:

- each domain's and matter type's **share** of the month's requests, **satisfaction** (as the
  indicator: (S + b·B) ÷ (S + B + D), b the ranking policy's basically-satisfied weight) and
  **on-time rate** (replied by the deadline ÷ replied), month by month; a rate with nothing to
  count is None;
- the matter types with the **most dissatisfaction** over the period: most dissatisfied answers
  first, then the lower satisfaction, then the code; matter types with none are left out;
- the towns where a matter type is **rising** in the period's last month M: requests in M ≥
  ``min_requests`` and ≥ ``factor`` × the mean of the ``previous_months`` months before M (a month
  without a row counts 0 requests). Compared exactly: n·k ≥ factor·Σ previous.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.assessment import AnalysisPolicy, Month, month_before, months_between
from domain.indicators import ratio


class MatterMonth(BaseModel):
    """What the database counts for one month, matter type and town (of the location)."""

    model_config = ConfigDict(frozen=True)
    month: Month
    domain: str
    matter_type: str
    town: str | None
    """None when the location's town is unknown: counted for the city, never as rising."""
    requests: int = Field(ge=0)
    """Requests received in the month (each submission; merged ones too)."""
    satisfied: int = Field(default=0, ge=0)
    basically_satisfied: int = Field(default=0, ge=0)
    dissatisfied: int = Field(default=0, ge=0)
    """Final callback answers of the citizens of cases closed in the month."""
    replied: int = Field(default=0, ge=0)
    on_time: int = Field(default=0, ge=0)
    """Cases replied in the month, and of those replied by their deadline in force."""


class AnalysisInput(BaseModel):
    first_month: Month
    last_month: Month
    policy: AnalysisPolicy
    basically_satisfied_weight: float = Field(default=1.0, ge=0, le=1)
    names: dict[str, str]
    """Chinese names of the domains, matter types and towns by code (reference data)."""
    figures: tuple[MatterMonth, ...]
    """The period's rows, and those of the ``rising.previous_months`` months before its last month."""

    @model_validator(mode="after")
    def _period_in_order(self) -> AnalysisInput:
        if self.last_month < self.first_month:
            raise ValueError("last_month is before first_month")
        return self


class MonthFigures(BaseModel):
    model_config = ConfigDict(frozen=True)
    month: Month
    requests: int
    share: float | None
    """Of all the month's requests; None when the month had none."""
    satisfaction: float | None
    on_time_rate: float | None
    dissatisfied: int


class Series(BaseModel):
    """One domain or matter type, one entry per month of the period."""

    model_config = ConfigDict(frozen=True)
    code: str
    name: str
    months: tuple[MonthFigures, ...]


class DissatisfiedMatter(BaseModel):
    model_config = ConfigDict(frozen=True)
    matter_type: str
    name: str
    dissatisfied: int
    answered: int
    satisfaction: float | None
    requests: int


class RisingMatter(BaseModel):
    model_config = ConfigDict(frozen=True)
    town: str
    town_name: str
    matter_type: str
    name: str
    month: Month
    requests: int
    previous: tuple[int, ...]
    """Requests in each of the months before, oldest first."""
    previous_mean: float


class Analysis(BaseModel):
    model_config = ConfigDict(frozen=True)
    months: tuple[Month, ...]
    total_requests: tuple[int, ...]
    domains: tuple[Series, ...]
    """Most requests over the period first."""
    matter_types: tuple[Series, ...]
    most_dissatisfied: tuple[DissatisfiedMatter, ...]
    rising: tuple[RisingMatter, ...]
    """In the period's last month; the largest rise (requests ÷ previous mean) first."""


def _series(
    inp: AnalysisInput, months: list[str], totals: dict[str, int], key: Callable[[MatterMonth], str]
) -> tuple[Series, ...]:
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
    for f in inp.figures:
        row = sums[(key(f), f.month)]
        for i, n in enumerate((f.requests, f.satisfied, f.basically_satisfied, f.dissatisfied, f.replied, f.on_time)):
            row[i] += n
    codes = {code for code, month in sums if month in totals}
    b = inp.basically_satisfied_weight

    def figures(code: str, month: str) -> MonthFigures:
        requests, s, bs, d, replied, on_time = sums.get((code, month), [0] * 6)
        return MonthFigures(
            month=month,
            requests=requests,
            share=ratio(requests, totals[month]),
            satisfaction=ratio(s + b * bs, s + bs + d),
            on_time_rate=ratio(on_time, replied),
            dissatisfied=d,
        )

    series = [Series(code=c, name=inp.names.get(c, c), months=tuple(figures(c, m) for m in months)) for c in codes]
    return tuple(sorted(series, key=lambda s: (-sum(m.requests for m in s.months), s.code)))


def _most_dissatisfied(inp: AnalysisInput, matter_types: tuple[Series, ...]) -> tuple[DissatisfiedMatter, ...]:
    b = inp.basically_satisfied_weight
    in_period = [f for f in inp.figures if inp.first_month <= f.month <= inp.last_month]
    rows = []
    for series in matter_types:
        mine = [f for f in in_period if f.matter_type == series.code]
        s, bs, d = (
            sum(getattr(f, name) for f in mine) for name in ("satisfied", "basically_satisfied", "dissatisfied")
        )
        if d:
            rows.append(
                DissatisfiedMatter(
                    matter_type=series.code,
                    name=series.name,
                    dissatisfied=d,
                    answered=s + bs + d,
                    satisfaction=ratio(s + b * bs, s + bs + d),
                    requests=sum(f.requests for f in mine),
                )
            )
    rows.sort(key=lambda r: (-r.dissatisfied, r.satisfaction if r.satisfaction is not None else 1.0, r.matter_type))
    return tuple(rows[: inp.policy.top_dissatisfied])


def _rising(inp: AnalysisInput) -> tuple[RisingMatter, ...]:
    rule, month = inp.policy.rising, inp.last_month
    before = [month_before(month)]
    while len(before) < rule.previous_months:
        before.append(month_before(before[-1]))
    before.reverse()
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for f in inp.figures:
        if f.town is not None:
            counts[(f.town, f.matter_type)][f.month] += f.requests
    rows = []
    for (town, matter), by_month in counts.items():
        now, previous = by_month.get(month, 0), tuple(by_month.get(m, 0) for m in before)
        if now >= rule.min_requests and Decimal(now * rule.previous_months) >= rule.factor * sum(previous):
            rows.append(
                RisingMatter(
                    town=town,
                    town_name=inp.names.get(town, town),
                    matter_type=matter,
                    name=inp.names.get(matter, matter),
                    month=month,
                    requests=now,
                    previous=previous,
                    previous_mean=sum(previous) / len(previous),
                )
            )
    # A rise from nothing sorts first (infinite ratio), then by ratio, then by volume.
    rows.sort(
        key=lambda r: (
            -(r.requests / r.previous_mean) if r.previous_mean else float("-inf"),
            -r.requests,
            r.town,
            r.matter_type,
        )
    )
    return tuple(rows)


def analyse(inp: AnalysisInput) -> Analysis:
    months = months_between(inp.first_month, inp.last_month)
    totals = {m: 0 for m in months}
    for f in inp.figures:
        if f.month in totals:
            totals[f.month] += f.requests
    matter_types = _series(inp, months, totals, lambda f: f.matter_type)
    return Analysis(
        months=tuple(months),
        total_requests=tuple(totals[m] for m in months),
        domains=_series(inp, months, totals, lambda f: f.domain),
        matter_types=matter_types,
        most_dissatisfied=_most_dissatisfied(inp, matter_types),
        rising=_rising(inp),
    )
