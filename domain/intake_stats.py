"""Requests received against cases opened (一事多投): the periods reported, and the reduction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo


class By(StrEnum):
    day = "day"
    month = "month"


@dataclass(frozen=True)
class IntakePeriod:
    label: str
    start: datetime
    end: datetime


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def period_count(first: date, last: date, by: By) -> int:
    """How many days (or months) ``first`` to ``last`` inclusive holds, before any is made."""
    if by is By.month:
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return (last - first).days + 1


def intake_periods(first: date, last: date, by: By, zone: ZoneInfo) -> list[IntakePeriod]:
    """The city's days (or months) from ``first`` to ``last`` inclusive, as [start, end) in UTC."""
    periods = []
    day = first.replace(day=1) if by is By.month else first
    while day <= last:
        following = _next_month(day) if by is By.month else date.fromordinal(day.toordinal() + 1)
        start, end = (datetime.combine(d, time(0), tzinfo=zone).astimezone(UTC) for d in (day, following))
        periods.append(IntakePeriod(f"{day:%Y-%m}" if by is By.month else day.isoformat(), start, end))
        day = following
    return periods


def reduction(requests: int, cases: int) -> float | None:
    """The share of requests that did not open a case of their own: merged repeat submissions."""
    return round((requests - cases) / requests, 4) if requests else None
