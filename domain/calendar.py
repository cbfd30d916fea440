"""The working-day calendar: mainland China's statutory holidays and make-up workdays (调休), the
city's own days, and the rule for "N working days after" an instant.

The calendar is data the city keeps: one file per year (``config/calendar/2026.yaml``), seeded
from the chinese-calendar package and extended each November when the State Council publishes the
next year's arrangement, plus ``city.yaml`` for local holidays and emergency working days. A day in
a year that has no file is judged on weekdays alone, and a deadline that counts such a day is
**provisional**: it is marked so, and moved when the year's file arrives.

The rule, for a limit of N working days starting at instant *t* (local time, Asia/Shanghai by
default): the deadline is the end (24:00) of the Nth working day strictly after the day in which
*t* falls. The starting day itself never counts, whether or not it is a working day, so a unit that
receives a case at 17:55 gets the same full days as one that receives it at 08:00, and a case
dispatched on a holiday starts counting on the next working day. An instant at exactly 24:00
belongs to the day that ends then, so "1 working day after the end of Thursday" is the end of
Friday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.reference import ReferenceDataError, parse_yaml

ONE_DAY = timedelta(days=1)


class CalendarDay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    date: date
    name: str = Field(min_length=1)


class YearFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=2000, le=2100)
    holidays: list[CalendarDay]
    makeup_workdays: list[CalendarDay]

    @model_validator(mode="after")
    def _dates_in_year(self) -> YearFile:
        for entry in [*self.holidays, *self.makeup_workdays]:
            if entry.date.year != self.year:
                raise ValueError(f"{entry.date} is not in {self.year}")
        for entry in self.makeup_workdays:
            if entry.date.weekday() < 5:
                raise ValueError(f"make-up workday {entry.date} is a weekday; only weekend days are made up")
        return self


class CityFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    holidays: list[CalendarDay] = []
    working_days: list[CalendarDay] = []


SUPPORTED_YEARS = range(1900, 9999)
"""The years a period asked of Minsheng may fall in: far enough inside what a date can hold that
the arithmetic around them (the day or month after, the months before, the zone's offset) never
leaves it."""


@dataclass(frozen=True)
class WorkingCalendar:
    years: frozenset[int]
    days_off: frozenset[date]
    working_weekend_days: frozenset[date]

    @classmethod
    def build(cls, years: list[YearFile], city: CityFile) -> WorkingCalendar:
        city_off = {d.date for d in city.holidays}
        city_on = {d.date for d in city.working_days}
        national_off = {d.date for y in years for d in y.holidays}
        national_on = {d.date for y in years for d in y.makeup_workdays}
        # The city's own days win over the national arrangement.
        return cls(
            years=frozenset(y.year for y in years),
            days_off=frozenset((national_off - city_on) | city_off),
            working_weekend_days=frozenset((national_on - city_off) | city_on),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.working_weekend_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def nth_working_day_after(self, start: date, n: int) -> tuple[date, bool]:
        """The Nth working day strictly after ``start``, and whether a year with no file was counted."""
        day, counted, provisional = start, 0, False
        while counted < n:
            day += ONE_DAY
            provisional |= day.year not in self.years
            counted += self.is_working_day(day)
        return day, provisional

    def working_days_after(self, start: datetime, n: int, zone: ZoneInfo) -> tuple[datetime, bool]:
        """End (24:00 local) of the Nth working day after the day of ``start``, as UTC-aware time."""
        # An instant at exactly local midnight belongs to the day that has just ended.
        local_day = (start.astimezone(zone) - timedelta(microseconds=1)).date()
        day, provisional = self.nth_working_day_after(local_day, n)
        end = datetime.combine(day + ONE_DAY, time(0), tzinfo=zone)
        return end.astimezone(start.tzinfo), provisional

    def same_time_working_days_after(self, start: datetime, n: int, zone: ZoneInfo) -> datetime:
        """The same local time of day as ``start`` on the Nth working day after its day."""
        local = start.astimezone(zone)
        day, _ = self.nth_working_day_after(local.date(), n)
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(start.tzinfo)

    def working_days_taken(self, start: datetime, end: datetime, zone: ZoneInfo) -> int:
        """Working days from the day after ``start``'s day up to ``end``'s day (0: the same day)."""
        first = (start.astimezone(zone) - timedelta(microseconds=1)).date()
        last = (end.astimezone(zone) - timedelta(microseconds=1)).date()
        days, day = 0, first
        while day < last:
            day += ONE_DAY
            days += self.is_working_day(day)
        return days


def load_calendar(folder: Path) -> WorkingCalendar:
    """``folder``/YYYY.yaml for each year the city has, and ``folder``/city.yaml."""
    years = [parse_yaml(YearFile, path) for path in sorted(folder.glob("[0-9][0-9][0-9][0-9].yaml"))]
    for path, year in zip(sorted(folder.glob("[0-9][0-9][0-9][0-9].yaml")), years, strict=True):
        if path.stem != str(year.year):
            raise ReferenceDataError(f"{path}: year: the file says {year.year}, its name says {path.stem}")
    return WorkingCalendar.build(years, parse_yaml(CityFile, folder / "city.yaml"))
