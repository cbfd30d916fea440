"""The city's clock: seconds since the first local midnight, its working days, the tiers' limits
on them, and how many cases arrive each day."""

from __future__ import annotations

import bisect
import math
import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock

from bench.ranking.rows import CHANNEL_WEIGHTS, HOUR, json_str, weighted_table
from domain.calendar import WorkingCalendar
from domain.deadlines import Limit, Timing
from domain.reference import ReferenceData, UnitKind


class CityClock:
    """Times are seconds since local midnight of the first day (floats), turned into UTC datetimes
    only for the rows kept."""

    def __init__(
        self, reference: ReferenceData, timing: Timing, first_day: date, days: int, now: datetime, seed: int
    ) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.reference = reference
        self.timing = timing
        self.zone = timing.zone
        self.first_day = first_day
        self.days = days
        self.t0 = datetime.combine(first_day, clock(0), tzinfo=self.zone).astimezone(UTC)
        self.now_t = (now - self.t0).total_seconds()
        calendar: WorkingCalendar = timing.calendar
        # Local midnights (as seconds since t0), far enough past the end for late replies.
        horizon = days + 90
        self.day_start = [
            (
                datetime.combine(first_day + timedelta(days=i), clock(0), tzinfo=self.zone).astimezone(UTC) - self.t0
            ).total_seconds()
            for i in range(horizon + 1)
        ]
        self.working = [calendar.is_working_day(first_day + timedelta(days=i)) for i in range(horizon)]
        self.working_index = [i for i, w in enumerate(self.working) if w]
        self.working_count = []  # working days among days 0..i
        n = 0
        for w in self.working:
            n += w
            self.working_count.append(n)
        self.calendar_years = calendar.years

        units = reference.units
        self.towns = [u.code for u in units.values() if u.kind is UnitKind.town]
        self.departments = [u.code for u in units.values() if u.kind is UnitKind.department]
        rng = self.rng
        # Skewed: a few towns and matters bring most of the cases (Zipf-like weights, shuffled).
        towns = self.towns[:]
        rng.shuffle(towns)
        self.town_table = weighted_table([(t, 1 / (i + 1) ** 0.7) for i, t in enumerate(towns)])
        matters = list(reference.matter_types.values())
        rng.shuffle(matters)
        self.matter_table = weighted_table([(m, 1 / (i + 1) ** 0.6) for i, m in enumerate(matters)])
        self.unit_table = weighted_table([(u, 1.0) for u in units])
        channels = list(reference.channels)
        self.channel_table = weighted_table([(c, CHANNEL_WEIGHTS.get(c, 2)) for c in channels])
        hours = [0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2, 4, 5, 5, 4.5, 3.5, 4, 4.5, 4.5, 4, 3.5, 3, 3, 2.5, 2, 1.2, 0.6]
        self.hour_table = weighted_table(list(enumerate(hours)))
        self.intake_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(len(channels))]
        self.dispatcher_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(6)]
        self.agent_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(12)]
        self.unit_keys = {u: f"k_{rng.getrandbits(48):012x}" for u in units}
        self.grid_prefix = {u.code: u.grid_prefix for u in units.values() if u.grid_prefix}
        self.place = {u.code: u.address_keywords for u in units.values() if u.address_keywords}
        self.limits = {t: rule for t, rule in timing.policy.tiers.items()}
        self.classified_json = {
            m.code: f'"domain": {json_str(reference.domain_of[m.code])}, "matter_type": {json_str(m.code)}, "tier": {json_str(m.tier.value)}'
            for m in matters
        }

    # -- volume and ids -------------------------------------------------------------------------

    def daily_volume(self, total: int) -> list[int]:
        """Cases received on each day: weekdays busier than weekends, a monthly wave, noise, storms."""
        rng = random.Random(self.seed + 1)
        weekday = (1.15, 1.05, 1.0, 1.0, 1.05, 0.75, 0.65)
        storms = {rng.randrange(self.days - 60, self.days - 20), rng.randrange(20, self.days - 60), self.days - 6}
        weights = []
        for i in range(self.days):
            day = self.first_day + timedelta(days=i)
            w = weekday[day.weekday()] * (1 + 0.12 * math.sin(2 * math.pi * i / 29)) * (1 + 0.25 * i / self.days)
            w *= math.exp(rng.gauss(0, 0.08)) * (1.7 if i in storms else 1.0)
            weights.append(w)
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in sorted(range(self.days), key=lambda i: -(weights[i] * scale - counts[i]))[: total - sum(counts)]:
            counts[i] += 1
        return counts

    def at(self, t: float) -> datetime:
        return self.t0 + timedelta(seconds=t)

    def local_day(self, t: float) -> int:
        """Index of the local day ``t`` falls in; an instant at exactly midnight ends the day before."""
        return bisect.bisect_left(self.day_start, t) - 1

    def nth_working_day_after(self, day: int, n: int) -> int:
        return self.working_index[bisect.bisect_right(self.working_index, day) + n - 1]

    def limit_after(self, limit: Limit, start: float) -> float:
        """As ``Limit.after``: calendar hours, or the end of the Nth working day after the start's day."""
        if limit.hours is not None:
            return start + limit.hours * HOUR
        assert limit.working_days is not None
        return self.day_start[self.nth_working_day_after(self.local_day(start), limit.working_days) + 1]

    def provisional(self, start: float, end: float) -> bool:
        """Whether working days from ``start`` to ``end`` were counted in a year with no calendar file."""
        first, last = (
            self.first_day + timedelta(days=self.local_day(start)),
            self.first_day + timedelta(days=self.local_day(end)),
        )
        return first.year not in self.calendar_years or last.year not in self.calendar_years

    def same_time_working_days_after(self, start: float, n: int) -> float:
        day = bisect.bisect_right(self.day_start, start) - 1
        target = self.nth_working_day_after(day, n)
        return self.day_start[target] + (start - self.day_start[day])

    def working_days_taken(self, start: float, end: float) -> int:
        return self.working_count[self.local_day(end)] - self.working_count[self.local_day(start)]
