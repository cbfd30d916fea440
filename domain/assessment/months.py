"""Months as the assessment counts them: ``YYYY-MM`` strings, their bounds in the city's zone, and
which months a run assesses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from typing import Annotated

from pydantic import Field

Month = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
"""A calendar month, ``YYYY-MM``."""


def month_index(month: str) -> int:
    """Months counted from year 0: arithmetic on months is arithmetic on these numbers."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_before(month: str) -> str:
    return month_of(month_index(month) - 1)


def month_after(month: str) -> str:
    return month_of(month_index(month) + 1)


def month_bounds(month: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a month in the city's zone, as UTC-aware instants."""
    start = datetime.combine(date.fromisoformat(f"{month}-01"), time(0), tzinfo=zone)
    end = datetime.combine(date.fromisoformat(f"{month_after(month)}-01"), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def month_count(first: str, last: str) -> int:
    """How many months ``first`` to ``last`` inclusive holds (0 when ``last`` is before ``first``):
    known before any month of the range is made."""
    return max(0, month_index(last) - month_index(first) + 1)


def months_between(first: str, last: str) -> list[str]:
    """``first`` to ``last`` inclusive, in order (empty when ``last`` is before ``first``)."""
    return [month_of(i) for i in range(month_index(first), month_index(last) + 1)]


def month_minus(month: str, n: int) -> str:
    return month_of(month_index(month) - n)


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
