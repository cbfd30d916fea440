"""The working-day calendar and tier deadlines (pure), with hand-checked cases and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.calendar import WorkingCalendar, load_calendar
from domain.deadlines import deadlines_for, load_policy
from domain.reference import Tier
from tests.helpers import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = load_calendar(ROOT / "config" / "calendar")
POLICY = load_policy(ROOT / "config" / "tiers.yaml")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI).astimezone(UTC)  # type: ignore[misc]


def test_national_day_2026_and_its_makeup_workdays() -> None:
    assert not CALENDAR.is_working_day(date(2026, 10, 1))
    assert not CALENDAR.is_working_day(date(2026, 10, 7))
    assert CALENDAR.is_working_day(date(2026, 9, 20))  # Sunday, made up
    assert CALENDAR.is_working_day(date(2026, 10, 10))  # Saturday, made up
    assert not CALENDAR.is_working_day(date(2026, 10, 11))  # an ordinary Sunday


def test_three_working_days_across_national_day() -> None:
    # Dispatched Wednesday 30 September 2026, 16:00: 1–7 October are off, Thu 8 and Fri 9 work,
    # Sat 10 is a make-up workday. Third working day: Saturday 10 October; deadline its end.
    due, provisional = CALENDAR.working_days_after(local(2026, 9, 30, 16), 3, SHANGHAI)
    assert due == local(2026, 10, 11, 0) and not provisional


def test_dispatch_on_a_holiday_counts_from_the_next_working_day() -> None:
    due, _ = CALENDAR.working_days_after(local(2026, 10, 3, 9), 1, SHANGHAI)
    assert due == local(2026, 10, 9, 0)  # the end of Thursday 8 October


def test_midnight_belongs_to_the_day_that_ends() -> None:
    thursday_end = local(2026, 11, 27, 0)
    assert CALENDAR.working_days_after(thursday_end, 1, SHANGHAI)[0] == local(2026, 11, 28, 0)


def test_a_year_without_a_file_is_weekdays_only_and_provisional() -> None:
    # 30 December 2026 (Wednesday) + 3 working days reaches into 2027, which has no file yet.
    due, provisional = CALENDAR.working_days_after(local(2026, 12, 30, 10), 3, SHANGHAI)
    assert provisional
    assert due == local(2027, 1, 5, 0)  # Thu 31 Dec, Fri 1 Jan, Mon 4 Jan: 1 Jan counted as a weekday
    assert not CALENDAR.working_days_after(local(2026, 12, 21, 10), 3, SHANGHAI)[1]


def test_the_citys_own_days_win() -> None:
    from domain.calendar import CalendarDay, CityFile, YearFile

    national = YearFile(year=2026, holidays=[], makeup_workdays=[])
    city = CityFile(
        holidays=[CalendarDay(date=date(2026, 8, 3), name="台风停工")],
        working_days=[CalendarDay(date=date(2026, 8, 8), name="抢险复工")],
    )
    calendar = WorkingCalendar.build([national], city)
    assert not calendar.is_working_day(date(2026, 8, 3)) and calendar.is_working_day(date(2026, 8, 8))


def test_tier_deadlines_from_the_policy() -> None:
    start = local(2026, 11, 24, 10)  # Tuesday
    red = deadlines_for(Tier.red, start, POLICY, CALENDAR, SHANGHAI)
    assert red.due_at == start + timedelta(hours=24) and red.accept_by == start + timedelta(hours=1)
    assert red.remind_at == start + timedelta(hours=12) and red.warn_at == red.due_at + timedelta(hours=4)
    green = deadlines_for(Tier.green, start, POLICY, CALENDAR, SHANGHAI)
    assert green.due_at == local(2026, 11, 28, 0)  # end of Friday 27 November
    assert green.warn_at == local(2026, 12, 1, 0)  # end of Monday 30 November
    extended = deadlines_for(Tier.green, start, POLICY, CALENDAR, SHANGHAI, due_at=local(2026, 12, 5, 0))
    assert extended.due_at == local(2026, 12, 5, 0) and extended.remind_at > green.remind_at


instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 20), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(start=instants, n=st.integers(min_value=1, max_value=10))
@example(start=datetime(2025, 1, 1, 16, tzinfo=UTC), n=1)  # local midnight: the day that just ended
def test_a_working_day_deadline_ends_a_working_day(start: datetime, n: int) -> None:
    due, _ = CALENDAR.working_days_after(start, n, SHANGHAI)
    last_day = (due.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()
    assert due.astimezone(SHANGHAI).time() == datetime.min.time()
    assert CALENDAR.is_working_day(last_day)
    start_day = (start.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()
    counted = [last_day - timedelta(days=i) for i in range((last_day - start_day).days)]
    assert sum(CALENDAR.is_working_day(d) for d in counted) == n


@settings(max_examples=300, deadline=None)
@given(
    start=instants, later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), n=st.integers(1, 10)
)
def test_a_later_dispatch_never_gets_an_earlier_deadline(start: datetime, later_by: timedelta, n: int) -> None:
    assert (
        CALENDAR.working_days_after(start + later_by, n, SHANGHAI)[0]
        >= CALENDAR.working_days_after(start, n, SHANGHAI)[0]
    )


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 20)), hour=st.integers(0, 23))
def test_on_a_day_off_counting_starts_at_the_next_working_day(day: date, hour: int) -> None:
    start = datetime(day.year, day.month, day.day, hour, 30, tzinfo=SHANGHAI)
    first = day + timedelta(days=1)
    while not CALENDAR.is_working_day(first):
        first += timedelta(days=1)
    assert CALENDAR.working_days_after(start, 1, SHANGHAI)[0] == datetime.combine(
        first + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI
    )


@settings(max_examples=200, deadline=None)
@given(start=instants, tier=st.sampled_from(list(Tier)))
def test_deadlines_are_in_order(start: datetime, tier: Tier) -> None:
    d = deadlines_for(tier, start, POLICY, CALENDAR, SHANGHAI)
    assert start < d.remind_at < d.due_at < d.warn_at and start < d.accept_by <= d.due_at


def test_a_bad_policy_is_named(tmp_path) -> None:
    from domain.reference import ReferenceDataError

    bad = tmp_path / "tiers.yaml"
    bad.write_text(
        (ROOT / "config" / "tiers.yaml")
        .read_text()
        .replace("handling: {hours: 24}", "handling: {hours: 24, working_days: 1}")
    )
    with pytest.raises(
        ReferenceDataError, match=r"tiers.yaml: tiers.red.handling: Value error, give either hours or working_days"
    ):
        load_policy(bad)
