"""Months as the assessment counts them: ``YYYY-MM`` strings, their bounds in the city's zone, and
which months a run assesses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated

from pydantic import Field

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A calendar month, ``YYYY-MM``."""


def month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


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
