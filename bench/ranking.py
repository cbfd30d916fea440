"""The daily ranking over a million cases in PostgreSQL: how long computing one day takes.

A fresh database is migrated and loaded with realistic rows through COPY (not the ORM): ``--cases``
cases spread over ``--days`` local days ending yesterday, with a daily volume that varies (the week,
a slow wave, noise, a few storms). Each case is simulated from receipt to closure as the workflow
would write it (received, classified, dispatched, deadlines, accepted or returned and dispatched
again, whistles and responses, replied, callback visits with their attempts, reopened, closed), then
cut at the moment the benchmark runs: recent cases are still open, in whatever step they had
reached. Requests, timeline events, callback attempts and summonses follow the same story, with
the tables' foreign keys and unique constraints in force while loading.

Then the tables are vacuumed and analysed, and the ranking activity (``RankingActivities.rank_day``:
the day and its month to date, counted and stored) is timed for a busy day near the end, and for
the last day of the last complete month (the longest month to date), besides ``unit_counts`` alone
for each period. The requirement: computing a day's ranking over 1,000,000 cases takes under 5 s.

``python -m bench.ranking --cases 1000000`` (the default); ``--keep`` leaves the database for
EXPLAIN, ``--reuse`` times an already loaded one again, ``--explain`` prints the plans.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import math
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from activities.ranking import RankingActivities
from bench.common import write_result
from domain.calendar import WorkingCalendar
from domain.deadlines import Limit, Timing
from domain.indicators import Period, RankDayInput, period_bounds
from domain.reference import TOWN_OF_LOCATION, ReferenceData, UnitKind
from minsheng.settings import Settings
from minsheng.setup import migrate
from persistence import ranking
from persistence.db import Database

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
"""The server, by its admin database; the benchmark's own database is created beside it."""
LIMIT_SECONDS = 5.0
DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0

CASE_COLUMNS = (
    "id",
    "status",
    "channel",
    "tier",
    "unit_code",
    "domain_code",
    "matter_type_code",
    "confidence",
    "received_at",
    "updated_at",
    "closed_at",
    "deadline_at",
    "seq",
    "deadline_provisional",
    "overdue",
    "replied_at",
    "on_time",
    "handling_working_days",
    "callback_round",
    "reopened",
    "outcome",
)
REQUEST_COLUMNS = (
    "id",
    "case_id",
    "channel",
    "channel_ref",
    "citizen_name",
    "citizen_phone",
    "content",
    "address",
    "lat",
    "lon",
    "grid",
    "category_hint",
    "reported_at",
    "received_at",
    "intake_key_id",
)
EVENT_COLUMNS = ("case_id", "seq", "at", "kind", "status", "actor_role", "actor_unit", "actor_key_id", "detail")
CALLBACK_COLUMNS = (
    "case_id",
    "request_id",
    "unit_code",
    "round",
    "attempt",
    "due_at",
    "gateway",
    "status",
    "final",
    "answer",
    "note",
    "created_at",
    "answered_at",
    "agent_key_id",
)
SUMMONS_COLUMNS = (
    "case_id",
    "summons_id",
    "lead_unit",
    "unit",
    "task",
    "reason",
    "whistled_at",
    "respond_by",
    "status",
    "responded_at",
    "report",
    "decline_reason",
    "ruling_note",
    "speed",
    "quality",
    "rating_comment",
    "rated_at",
    "seq",
)
TABLES = {
    "cases": CASE_COLUMNS,
    "requests": REQUEST_COLUMNS,
    "case_events": EVENT_COLUMNS,
    "callbacks": CALLBACK_COLUMNS,
    "summonses": SUMMONS_COLUMNS,
}
"""In the order they are loaded: every row's foreign keys point at rows loaded before it."""

# The final answers of a round: the first round as citizens answer, and the second round of a case
# reopened after a dissatisfied answer (the reopen limit is 1: a second dissatisfied answer closes).
FIRST_ROUND = (("satisfied", 0.845), ("basically_satisfied", 0.08), ("dissatisfied", 0.045), ("unreachable", 0.03))
SECOND_ROUND = (("satisfied", 0.6), ("basically_satisfied", 0.2), ("dissatisfied", 0.15), ("unreachable", 0.05))
CHANNEL_WEIGHTS = {"hotline_12345": 45, "minsheng_app": 12, "wechat": 10, "web_portal": 6, "grid_worker": 6}
# Citizens' sentences are made of these; what matters to the benchmark is their length.
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志海波辉鹏飞"
COMPLAINTS = (
    "楼道里的路灯坏了半个月，晚上出入很不方便，老人孩子容易摔倒，希望尽快维修。",
    "小区门口的下水道堵塞，污水漫到路面，气味很大，已经影响到周边商户营业。",
    "附近工地夜间施工噪音很大，经常到凌晨还在作业，严重影响居民休息。",
    "公司拖欠工资三个月了，多次找老板都说没钱，希望有关部门帮忙协调。",
    "村里的道路年久失修，坑洼不平，雨天积水严重，车辆和行人通行困难。",
    "供暖开始后家里温度一直不达标，室内只有十五度左右，联系物业也没有解决。",
    "路边有人长期占道经营，堵塞交通，还留下大量垃圾，希望城管部门处理。",
    "孩子入学的事情咨询了几次都没有明确答复，请教育部门给个说法。",
)
REPLIES = (
    "已安排人员现场核实并处理完毕，已向市民反馈。",
    "经协调，相关单位已整改到位，后续将加强巡查。",
    "已约谈责任方，限期整改，并向市民解释了政策依据。",
)
RETURN_REASONS = ("该事项不属于本单位职责范围，请重新派发。", "地址不在本辖区，请派发至属地镇街。")
SUMMONS_TASKS = ("配合现场执法，核查违规行为", "提供相关审批资料并参与协调", "派员到场联合处置")
SUMMONS_REPORT = "已派员到场，配合完成现场处置。"
DECLINE = "该事项不在本单位职责范围内。"
KEEPS_STATUS = frozenset(
    {
        "classified",
        "deadlines",
        "request_joined",
        "summoned",
        "response_deadline",
        "responded",
        "declined",
        "decline_upheld",
        "rated",
        "callbacks_planned",
        "callback",
    }
)
"""Events that leave the case's status as it was (the event records the status it found)."""
SUMMONS_EVENTS = frozenset({"summoned", "response_deadline", "responded", "declined", "decline_upheld", "rated"})


def _j(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Loaded:
    """What one chunk of cases came to, table by table."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})


class City:
    """The simulated city: its units, matters, calendar and clock, and the cases it receives.

    Times are seconds since local midnight of the first day (floats), turned into UTC datetimes
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
        self.town_table = _table([(t, 1 / (i + 1) ** 0.7) for i, t in enumerate(towns)])
        matters = list(reference.matter_types.values())
        rng.shuffle(matters)
        self.matter_table = _table([(m, 1 / (i + 1) ** 0.6) for i, m in enumerate(matters)])
        self.unit_table = _table([(u, 1.0) for u in units])
        channels = list(reference.channels)
        self.channel_table = _table([(c, CHANNEL_WEIGHTS.get(c, 2)) for c in channels])
        hours = [0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 2, 4, 5, 5, 4.5, 3.5, 4, 4.5, 4.5, 4, 3.5, 3, 3, 2.5, 2, 1.2, 0.6]
        self.hour_table = _table(list(enumerate(hours)))
        self.intake_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(len(channels))]
        self.dispatcher_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(6)]
        self.agent_keys = [f"k_{rng.getrandbits(48):012x}" for _ in range(12)]
        self.unit_keys = {u: f"k_{rng.getrandbits(48):012x}" for u in units}
        self.grid_prefix = {u.code: u.grid_prefix for u in units.values() if u.grid_prefix}
        self.place = {u.code: u.address_keywords for u in units.values() if u.address_keywords}
        self.limits = {t: rule for t, rule in timing.policy.tiers.items()}
        self.classified_json = {
            m.code: f'"domain": {_j(reference.domain_of[m.code])}, "matter_type": {_j(m.code)}, "tier": {_j(m.tier.value)}'
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

    # -- one chunk ------------------------------------------------------------------------------

    def chunk(self, first: int, days: list[int]) -> Loaded:
        """The rows of cases number ``first``, ``first + 1``, … received on ``days`` (one per case)."""
        out = Loaded()
        for offset, day in enumerate(days):
            self.case(first + offset, day, out.rows)
        return out

    def case(self, n: int, day: int, rows: dict[str, list[tuple[Any, ...]]]) -> None:
        rng = self.rng
        r = rng.random
        expo = rng.expovariate
        local = self.first_day + timedelta(days=day)
        stamp = f"{local:%Y%m%d}"
        case_id = f"{stamp}-{_code(n, 0x5DEECE66D)}"
        hour = _pick(self.hour_table, r())
        received = self.day_start[day] + hour * HOUR + r() * HOUR
        matter = _pick(self.matter_table, r())
        town = _pick(self.town_table, r())
        if r() < 0.05:  # a dispatcher's assignment outside the catalogue's rule
            unit = _pick(self.unit_table, r())
        else:
            unit = town if matter.responsible == TOWN_OF_LOCATION else matter.responsible
        tier = matter.tier.value
        rule = self.limits[matter.tier]
        channel = _pick(self.channel_table, r())

        events: list[tuple[float, str, str, str, str | None, str | None, Any]] = []
        # (at, kind, status after, actor role, actor unit, actor key, detail JSON); the detail of
        # dispatched and deadlines events is (JSON, the unit; or JSON, due time, provisional) to
        # rebuild the case row,
        # and the status of the events in KEEPS_STATUS is the one they find.
        request_id = f"R{stamp}-{_code(n, 0x2545F4914F6CDD1D)}"
        intake_key = self.intake_keys[n % len(self.intake_keys)]
        requests = [(request_id, channel, received, intake_key)]
        events.append(
            (
                received,
                "received",
                "received",
                "intake",
                None,
                intake_key,
                f'{{"request_id": "{request_id}", "channel": "{channel}"}}',
            )
        )
        classified = received + 1 + 3 * r()
        confident = r() < 0.75
        confidence = round(0.5 + 0.5 * r(), 3) if confident else round(0.15 + 0.35 * r(), 3)
        events.append(
            (
                classified,
                "classified",
                "received",
                "system",
                None,
                None,
                f'{{{self.classified_json[matter.code]}, "unit": "{unit}", "confidence": "{confidence:.3f}", '
                f'"outcome": "{"dispatch" if confident else "dispatcher queue"}", "reason": "keywords"}}',
            )
        )
        if confident:
            dispatched, role, key = classified + 0.5 + 2 * r(), "system", None
        else:
            dispatched, role, key = (
                classified + 60 + expo(1 / (45 * MINUTE)),
                "dispatcher",
                rng.choice(self.dispatcher_keys),
            )

        def dispatch(at: float, to: str, role: str, key: str | None) -> float:
            detail = (
                f'{{"unit": "{to}", "domain": "{self.reference.domain_of[matter.code]}", '
                f'"matter_type": "{matter.code}", "tier": "{tier}"}}',
                to,
            )
            events.append((at, "dispatched", "dispatched", role, None, key, detail))
            return self.deadlines(events, at, rule, matter.tier)

        if r() < 0.04:  # sent to the wrong unit first, which returns it (退办)
            wrong = _pick(self.unit_table, r())
            while wrong == unit:
                wrong = _pick(self.unit_table, r())
            dispatch(dispatched, wrong, role, key)
            returned = dispatched + 300 + expo(1 / (2 * HOUR))
            events.append(
                (
                    returned,
                    "returned",
                    "returned",
                    "unit",
                    wrong,
                    self.unit_keys[wrong],
                    f'{{"reason": {_j(rng.choice(RETURN_REASONS))}}}',
                )
            )
            dispatched, role, key = (
                returned + 60 + expo(1 / (40 * MINUTE)),
                "dispatcher",
                rng.choice(self.dispatcher_keys),
            )
        deadline = dispatch(dispatched, unit, role, key)
        unit_key = self.unit_keys[unit]
        accept_limit = self.limit_after(rule.acceptance, dispatched) - dispatched
        accepted = dispatched + min(120 + expo(1 / (accept_limit / 3)), accept_limit * (0.5 + 1.5 * r()))
        events.append((accepted, "accepted", "accepted", "unit", unit, unit_key, "{}"))
        stuck = r() < 0.003  # never replied: open and overdue to this day
        replied = math.inf if stuck else self.reply_time(accepted, deadline)
        due_rounds = [(deadline, replied)]  # (deadline, reply) of each dispatch round to this unit

        summonses: list[list[Any]] = []
        if r() < 0.03:
            self.whistle(events, summonses, unit, accepted, min(replied, accepted + 3 * DAY), matter.tier)
        if r() < 0.02:  # the same matter from a second citizen joins the case (一事多投)
            joined = received + 600 + (min(replied, received + DAY) - received - 600) * r() * 0.5
            second_channel = _pick(self.channel_table, r())
            second_id = f"R{stamp}-{_code(n, 0x27BB2EE687B0B0FD)}"
            key2 = self.intake_keys[(n + 1) % len(self.intake_keys)]
            requests.append((second_id, second_channel, joined, key2))
            events.append(
                (
                    joined,
                    "request_joined",
                    "",
                    "intake",
                    None,
                    key2,
                    f'{{"request_id": "{second_id}", "channel": "{second_channel}"}}',
                )
            )

        attempts: list[tuple[str, int, int, float, float, float, str, bool]] = []
        final_answers: dict[str, str] = {}
        if not stuck:
            events.append(
                (replied, "replied", "replied", "unit", unit, unit_key, f'{{"result": {_j(rng.choice(REPLIES))}}}')
            )
            answers, settled = self.visits(events, attempts, [q[0] for q in requests], 1, replied, FIRST_ROUND)
            if "dissatisfied" in answers.values():  # reopened (重办) to the same unit, once
                again = settled + 1 + 5 * r()
                events.append(
                    (
                        again,
                        "reopened",
                        "dispatched",
                        "system",
                        None,
                        None,
                        f'{{"unit": "{unit}", "round": "2", "dissatisfied": "{request_id}"}}',
                    )
                )
                deadline = self.deadlines(events, again, rule, matter.tier)
                accepted = again + 120 + expo(1 / HOUR)
                events.append((accepted, "accepted", "accepted", "unit", unit, unit_key, "{}"))
                replied = self.reply_time(accepted, deadline)
                due_rounds.append((deadline, replied))
                events.append(
                    (replied, "replied", "replied", "unit", unit, unit_key, f'{{"result": {_j(rng.choice(REPLIES))}}}')
                )
                answers, settled = self.visits(events, attempts, [q[0] for q in requests], 2, replied, SECOND_ROUND)
            final_answers = answers
            closed = settled + 1 + 59 * r()
            outcome = _outcome(answers.values())
            events.append(
                (
                    closed,
                    "closed",
                    "closed",
                    "system",
                    None,
                    None,
                    f'{{"callback_answers": "{",".join(sorted(set(answers.values())))}", "outcome": "{outcome}"}}',
                )
            )

        # The story up to now: what the read model holds at this moment.
        events.sort(key=lambda e: e[0])
        now = self.now_t
        kept = [e for e in events if e[0] <= now]
        state: dict[str, Any] = {
            "status": "received",
            "unit": None,
            "deadline": None,
            "provisional": False,
            "replied": None,
            "closed": None,
            "callback_round": 0,
            "reopened": 0,
        }
        round_index = 0
        timeline = rows["case_events"]
        for seq, (at, kind, status, role, actor_unit, key, detail) in enumerate(kept, 1):
            if kind in KEEPS_STATUS:
                status = state["status"]
            state["status"] = status
            timeline.append(
                (
                    case_id,
                    seq,
                    self.at(at),
                    kind,
                    status,
                    role,
                    actor_unit,
                    key,
                    detail[0] if kind in ("dispatched", "deadlines") else detail,
                )
            )
            if kind == "dispatched":
                state["unit"] = detail[1]
                state["deadline"], state["provisional"] = None, False
            elif kind == "deadlines":
                state["deadline"], state["provisional"] = detail[1], detail[2]
            elif kind == "replied":
                state["replied"] = at
                round_index += 1
            elif kind == "callbacks_planned":
                state["callback_round"] += 1
            elif kind == "reopened":
                state["reopened"] += 1
                state["replied"] = None
                state["deadline"], state["provisional"] = None, False
            elif kind == "closed":
                state["closed"] = at
        deadline_at = self.at(state["deadline"]) if state["deadline"] is not None else None
        # The deadline slip marks a case overdue when a round's deadline passes without a reply.
        overdue = any(due <= now and reply > due for due, reply in due_rounds)
        replied_t = state["replied"]
        on_time = handling = None
        if replied_t is not None:
            on_time = replied_t <= due_rounds[round_index - 1][0]
            handling = self.working_days_taken(received, replied_t)
        is_closed = state["closed"] is not None
        outcome = _outcome(final_answers.values()) if is_closed else None
        rows["cases"].append(
            (
                case_id,
                state["status"],
                channel,
                tier if state["unit"] else None,
                state["unit"],
                self.reference.domain_of[matter.code] if state["unit"] else None,
                matter.code if state["unit"] else None,
                confidence,
                self.at(received),
                self.at(kept[-1][0]),
                self.at(state["closed"]) if is_closed else None,
                deadline_at,
                len(kept),
                state["provisional"],
                overdue,
                self.at(replied_t) if replied_t is not None else None,
                on_time,
                handling,
                state["callback_round"],
                state["reopened"],
                outcome,
            )
        )
        for i, (rid, ch, at, key) in enumerate(requests):
            if at > now:
                continue
            town_code = town if town in self.place else self.towns[0]
            place = self.place[town_code][n % len(self.place[town_code])]
            phone = f"1{3 + n % 7}{(n * 7919 + i) % 10**9:09d}"
            name = (
                SURNAMES[(n + i) % len(SURNAMES)]
                + GIVEN[(n * 31 + i) % len(GIVEN)]
                + ("" if n % 3 else GIVEN[n % len(GIVEN)])
            )
            grid = f"{self.grid_prefix[town_code]}-{n % 30 + 1:02d}-{n % 50 + 1:02d}" if n % 4 else None
            rows["requests"].append(
                (
                    rid,
                    case_id,
                    ch,
                    f"{ch}-{n}-{i}",
                    name,
                    phone,
                    f"我是{place}的居民，反映一下：{COMPLAINTS[(n + i) % len(COMPLAINTS)]}",
                    f"{place}{n % 200 + 1}号",
                    None,
                    None,
                    grid,
                    None,
                    self.at(at - 60 * r()) if i == 0 and n % 5 == 0 else None,
                    self.at(at),
                    key,
                )
            )
        for rid, round_, attempt, due, created, answered, answer, final in attempts:
            if created > now:
                continue
            done = answered <= now
            rows["callbacks"].append(
                (
                    case_id,
                    rid,
                    unit,
                    round_,
                    attempt,
                    self.at(due),
                    "queue",
                    "answered" if done else "pending",
                    final if done else None,
                    answer if done else None,
                    None,
                    self.at(created),
                    self.at(answered) if done else None,
                    self.agent_keys[(n + attempt) % len(self.agent_keys)] if done else None,
                )
            )
        for s in summonses:
            self.summons_row(rows, case_id, unit, s, kept)

    def deadlines(self, events: list[Any], at: float, rule: Any, tier: Any) -> float:
        """The deadlines event of a dispatch round (its due time rides along for the case row)."""
        due = self.limit_after(rule.handling, at)
        accept_by = self.limit_after(rule.acceptance, at)
        provisional = rule.handling.working_days is not None and self.provisional(at, due)
        flag = ', "provisional": "yes"' if provisional else ""
        detail = f'{{"accept_by": "{self.at(accept_by).isoformat()}", "due_at": "{self.at(due).isoformat()}"{flag}}}'
        events.append((at + 0.2, "deadlines", "dispatched", "system", None, None, (detail, due, provisional)))
        return due

    def reply_time(self, accepted: float, deadline: float) -> float:
        r = self.rng.random()
        window = max(deadline - accepted, HOUR)
        if r < 0.92:  # on time, most of them well before the deadline
            return accepted + window * (0.05 + 0.93 * self.rng.random() ** 0.8)
        return max(deadline, accepted) + 60 + self.rng.expovariate(1 / (20 * HOUR))

    def visits(
        self,
        events: list[Any],
        attempts: list[Any],
        request_ids: list[str],
        round_: int,
        replied: float,
        mix: tuple[tuple[str, float], ...],
    ) -> tuple[dict[str, str], float]:
        """A round of callback visits, one per citizen: attempts on the policy's days, unreachable
        ones tried again, the last attempt's answer settling. Answers each citizen's answer and
        when the last one settled."""
        rng = self.rng
        planned = replied + 1
        events.append(
            (
                planned,
                "callbacks_planned",
                "replied",
                "system",
                None,
                None,
                f'{{"round": "{round_}", "citizens": "{len(request_ids)}"}}',
            )
        )
        due = [planned, self.same_time_working_days_after(planned, 1), self.same_time_working_days_after(planned, 2)]
        answers: dict[str, str] = {}
        settled = planned
        for rid in request_ids:
            x, answer = rng.random(), mix[-1][0]
            for a, share in mix:
                if x < share:
                    answer = a
                    break
                x -= share
            if answer == "unreachable":
                tries = 3
            else:
                y = rng.random()
                tries = 3 if y < 0.02 else 2 if y < 0.1 else 1
            for attempt in range(1, tries + 1):
                created = due[attempt - 1] + 0.5
                answered = created + 120 + min(rng.expovariate(1 / (4 * HOUR)), 20 * HOUR)  # before the next attempt
                final = attempt == tries
                said = answer if final else "unreachable"
                attempts.append((rid, round_, attempt, due[attempt - 1], created, answered, said, final))
                events.append(
                    (
                        answered,
                        "callback",
                        "replied",
                        "callback_agent",
                        None,
                        self.agent_keys[attempt],
                        f'{{"request_id": "{rid}", "answer": "{said}", "round": "{round_}", '
                        f'"attempt": "{attempt}", "final": "{"yes" if final else "no"}"}}',
                    )
                )
                if final:
                    settled = max(settled, answered)
            answers[rid] = answer
        return answers, settled

    def whistle(
        self, events: list[Any], summonses: list[list[Any]], lead: str, accepted: float, before: float, tier: Any
    ) -> None:
        """The lead unit summons one unit (sometimes two) to the case; most respond (报到)."""
        rng = self.rng
        pool = self.departments if lead in self.towns or rng.random() < 0.5 else self.towns
        units = rng.sample([u for u in pool if u != lead], 2 if rng.random() < 0.1 else 1)
        whistled = accepted + (before - accepted) * 0.3 * rng.random()
        for i, unit in enumerate(units, 1):
            sid = f"W{i}"
            task = rng.choice(SUMMONS_TASKS)
            respond_by = self.limit_after(self.limits[tier].response, whistled)
            events.append(
                (
                    whistled,
                    "summoned",
                    "accepted",
                    "unit",
                    lead,
                    self.unit_keys[lead],
                    f'{{"summons_id": "{sid}", "unit": "{unit}", "task": {_j(task)}, "reason": {_j(task)}}}',
                )
            )
            events.append(
                (
                    whistled + 0.3,
                    "response_deadline",
                    "accepted",
                    "system",
                    None,
                    None,
                    f'{{"summons_id": "{sid}", "unit": "{unit}", "respond_by": "{self.at(respond_by).isoformat()}"}}',
                )
            )
            answered = whistled + 300 + min(rng.expovariate(1 / (3 * HOUR)), max(before - whistled - 600, 600) * 0.5)
            later = max(before - answered, 600)  # the ruling and the rating come before the reply
            declined = rng.random() < 0.1
            if declined:
                events.append(
                    (
                        answered,
                        "declined",
                        "accepted",
                        "unit",
                        unit,
                        self.unit_keys[unit],
                        f'{{"summons_id": "{sid}", "reason": {_j(DECLINE)}}}',
                    )
                )
                events.append(
                    (
                        answered + later * 0.3,
                        "decline_upheld",
                        "accepted",
                        "dispatcher",
                        None,
                        self.dispatcher_keys[0],
                        f'{{"summons_id": "{sid}", "unit": "{unit}"}}',
                    )
                )
            else:
                events.append(
                    (
                        answered,
                        "responded",
                        "accepted",
                        "unit",
                        unit,
                        self.unit_keys[unit],
                        f'{{"summons_id": "{sid}", "report": {_j(SUMMONS_REPORT)}}}',
                    )
                )
            rated = answered + later * (0.2 + 0.6 * rng.random()) if not declined and rng.random() < 0.5 else None
            if rated is not None:
                speed, quality = rng.randint(3, 5), rng.randint(3, 5)
                events.append(
                    (
                        rated,
                        "rated",
                        "accepted",
                        "unit",
                        lead,
                        self.unit_keys[lead],
                        f'{{"summons_id": "{sid}", "speed": "{speed}", "quality": "{quality}"}}',
                    )
                )
            else:
                speed = quality = None
            summonses.append([sid, unit, task, whistled, respond_by, answered, declined, rated, speed, quality])

    def summons_row(self, rows: dict[str, list[Any]], case_id: str, lead: str, s: list[Any], kept: list[Any]) -> None:
        sid, unit, task, whistled, respond_by, answered, declined, rated, speed, quality = s
        now = self.now_t
        if whistled > now:
            return
        mark = f'"summons_id": "{sid}"'
        touched = [seq for seq, e in enumerate(kept, 1) if e[1] in SUMMONS_EVENTS and mark in e[6]]
        if answered > now:
            status, responded_at, report, reason, note = "summoned", None, None, None, None
        elif declined:
            upheld = any(e[1] == "decline_upheld" and mark in e[6] for e in kept)
            status, responded_at, report, reason, note = (
                ("released" if upheld else "declined"),
                answered,
                None,
                DECLINE,
                None,
            )
        else:
            status, responded_at, report, reason, note = "responded", answered, SUMMONS_REPORT, None, None
        rated_now = rated is not None and rated <= now
        rows["summonses"].append(
            (
                case_id,
                sid,
                lead,
                unit,
                task,
                task,
                self.at(whistled),
                self.at(respond_by),
                status,
                self.at(responded_at) if responded_at is not None else None,
                report,
                reason,
                note,
                speed if rated_now else None,
                quality if rated_now else None,
                None,
                self.at(rated) if rated_now else None,
                touched[-1],
            )
        )


def _table(weighted: list[tuple[Any, float]], size: int = 4096) -> list[Any]:
    """A lookup table for drawing from a weighted choice with one ``random()``."""
    total = sum(w for _, w in weighted)
    table: list[Any] = []
    for value, w in weighted:
        table.extend([value] * max(1, round(size * w / total)))
    return table


def _pick(table: list[Any], x: float) -> Any:
    return table[int(x * len(table))]


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _code(n: int, multiplier: int) -> str:
    """Ten Crockford base32 characters, unique per ``n`` (an odd multiplier is a bijection mod 2⁵⁰)."""
    x = (n * (multiplier | 1)) & ((1 << 50) - 1)
    return "".join(_ALPHABET[(x >> s) & 31] for s in range(45, -1, -5))


def _outcome(answers: Any) -> str | None:
    found = set(answers)
    for answer in ("dissatisfied", "basically_satisfied", "satisfied", "unreachable"):
        if answer in found:
            return answer
    return None


# -- the database ---------------------------------------------------------------------------------


async def _admin(sql: str) -> None:
    url = make_url(SERVER)
    conn = await asyncpg.connect(user=url.username, host=url.host, port=url.port or 5432, database=url.database)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _connect(url: str) -> asyncpg.Connection:
    u = make_url(url)
    return await asyncpg.connect(
        user=u.username, password=u.password, host=u.host, port=u.port or 5432, database=u.database
    )


async def load(url: str, city: City, count: int, chunk_size: int) -> dict[str, Any]:
    """COPY the city's cases in chunks; the next chunk is made in a thread while the server takes
    the last one (two cores: one makes rows, the other indexes them)."""
    volume = city.daily_volume(count)
    case_days = [d for d, n in enumerate(volume) for _ in range(n)]
    conn = await _connect(url)
    copied = dict.fromkeys(TABLES, 0)
    began = time.perf_counter()
    spans = [(i, case_days[i : i + chunk_size]) for i in range(0, count, chunk_size)]
    try:
        pending = asyncio.create_task(asyncio.to_thread(city.chunk, *spans[0])) if spans else None
        for k in range(len(spans)):
            assert pending is not None
            loaded = await pending
            pending = asyncio.create_task(asyncio.to_thread(city.chunk, *spans[k + 1])) if k + 1 < len(spans) else None
            async with conn.transaction():
                for table, columns in TABLES.items():
                    if loaded.rows[table]:
                        await conn.copy_records_to_table(table, records=loaded.rows[table], columns=list(columns))
                    copied[table] += len(loaded.rows[table])
            done = spans[k][0] + len(spans[k][1])
            elapsed = time.perf_counter() - began
            print(
                f"  … {done:>9,} cases, {copied['case_events']:>10,} events loaded in {elapsed:6.1f} s "
                f"({done / elapsed:,.0f} cases/s)",
                flush=True,
            )
        loaded_s = time.perf_counter() - began
        print("  vacuum and analyse …", flush=True)
        began = time.perf_counter()
        for table in TABLES:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        vacuum_s = time.perf_counter() - began
    finally:
        await conn.close()
    return {
        "load_seconds": round(loaded_s, 1),
        "vacuum_analyze_seconds": round(vacuum_s, 1),
        "daily_volume": {"min": min(volume), "max": max(volume), "mean": round(statistics.mean(volume))},
    }


async def database_figures(url: str) -> dict[str, Any]:
    conn = await _connect(url)
    try:
        rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
        statuses = dict(await conn.fetch("SELECT status, count(*) FROM cases GROUP BY status ORDER BY 2 DESC"))
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
        tables = {
            t: round(await conn.fetchval("SELECT pg_total_relation_size($1::regclass)", t) / 2**20) for t in TABLES
        }
        version = await conn.fetchval("SHOW server_version")
        settings = {
            k: await conn.fetchval(f"SHOW {k}")
            for k in ("shared_buffers", "work_mem", "effective_cache_size", "max_parallel_workers_per_gather", "jit")
        }
    finally:
        await conn.close()
    return {
        "rows": rows,
        "case_status": statuses,
        "database_mib": round(size / 2**20),
        "table_mib": tables,
        "postgresql": version,
        "postgresql_settings": settings,
    }


async def busy_day(url: str, city: City) -> date:
    """Of the last two weeks, the local day with the most cases closed."""
    conn = await _connect(url)
    try:
        last = city.first_day + timedelta(days=city.days - 1)
        since = datetime.combine(last - timedelta(days=13), clock(0), tzinfo=city.zone)
        until = datetime.combine(last + timedelta(days=1), clock(0), tzinfo=city.zone)
        day = await conn.fetchval(
            "SELECT (closed_at AT TIME ZONE $3)::date AS day FROM cases WHERE closed_at >= $1 AND closed_at < $2 "
            "GROUP BY day ORDER BY count(*) DESC LIMIT 1",
            since,
            until,
            city.zone.key,
        )
    finally:
        await conn.close()
    return day


STATEMENTS = ("answers", "closure", "handling", "decisions")
"""The statements ``unit_counts`` sends, in order: satisfaction, closure, handling, return."""


def _timer(db: Database) -> list[float]:
    """Durations of the statements ``db`` runs from now on, in order."""
    durations: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        context._bench_began = time.perf_counter()

    def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        durations.append(time.perf_counter() - context._bench_began)

    sa.event.listen(db.engine.sync_engine, "before_cursor_execute", before)
    sa.event.listen(db.engine.sync_engine, "after_cursor_execute", after)
    return durations


async def _connected(url: str) -> Database:
    """A new pool with its connection open, so that the times leave out connecting."""
    db = Database(url)
    async with db.engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
    return db


def _summary(times: list[float]) -> dict[str, Any]:
    return {
        "runs_s": [round(t, 3) for t in times],
        "best_s": round(min(times), 3),
        "median_s": round(statistics.median(times), 3),
    }


async def _rank_day(url: str, settings: Settings, day: date, runs: int, warm_up: int) -> dict[str, Any]:
    """``rank_day`` ``runs`` times. ``warm_up`` 0: each run on a new connection pool, so PostgreSQL
    plans every statement for its parameters. Otherwise one pool, after ``warm_up`` untimed runs:
    the same connection has then prepared and run each statement more than five times, after which
    PostgreSQL may keep a generic plan for it, as the worker's pool does from the third day on."""
    times: list[float] = []
    db: Database | None = None
    result = None
    try:
        for i in range(warm_up + runs):
            if db is None or not warm_up:
                if db is not None:
                    await db.close()
                db = await _connected(url)
            activities = RankingActivities(db, settings.reference, settings.timing, settings.indicator_policy)
            began = time.perf_counter()
            result = await activities.rank_day(RankDayInput(day=day))
            if i >= warm_up:
                times.append(time.perf_counter() - began)
    finally:
        if db is not None:
            await db.close()
    assert result is not None
    return _summary(times) | {"units_ranked": result.units_ranked, "first": result.first}


async def _unit_counts(url: str, start: datetime, end: datetime, runs: int) -> dict[str, Any]:
    """``unit_counts`` alone, each run on a new connection, with the time of each statement."""
    times: list[float] = []
    statements: list[list[float]] = []
    result: dict[str, Any] = {}
    for _ in range(runs):
        db = await _connected(url)
        durations = _timer(db)
        try:
            began = time.perf_counter()
            async with db.session() as session:
                result = await ranking.unit_counts(session, start, end)
            times.append(time.perf_counter() - began)
            statements.append(durations[-len(STATEMENTS) :])
        finally:
            await db.close()
    best = statements[times.index(min(times))]
    totals = {
        k: sum(getattr(c, k) for c in result.values()) for k in ("due", "replied", "satisfied", "accepted", "returned")
    }
    return _summary(times) | {
        "statements_of_best_s": {name: round(t, 3) for name, t in zip(STATEMENTS, best, strict=True)},
        "from": start.isoformat(),
        "to": end.isoformat(),
        "units": len(result),
        "totals": totals,
    }


async def measure(url: str, settings: Settings, days: dict[str, date], runs: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for label, day in days.items():
        print(f"  {label} {day}: rank_day on new connections …", flush=True)
        entry: dict[str, Any] = {"day": day.isoformat()}
        entry["rank_day_new_connection"] = await _rank_day(url, settings, day, runs, warm_up=0)
        print(f"  {label} {day}: rank_day on a connection that ran it {runs} times before …", flush=True)
        entry["rank_day_reused_connection"] = await _rank_day(url, settings, day, runs, warm_up=3)
        for period in Period:
            start, end = period_bounds(day, period, settings.timing.zone)
            entry[f"unit_counts_{period.value}"] = await _unit_counts(url, start, end, runs)
        figures[label] = entry
    return figures


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text.replace("'", "''") + "'"


async def explain(url: str, day: date, settings: Settings) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the statements ``unit_counts`` sends for the day and its month:
    the plan for the parameters (a new connection's), and the generic plan (a connection that has
    run the statement more than five times may keep it)."""
    db = Database(url)
    captured: list[tuple[str, Any]] = []
    sa.event.listen(
        db.engine.sync_engine,
        "before_cursor_execute",
        lambda conn, cursor, statement, parameters, context, many: captured.append((statement, parameters)),
    )
    out: list[str] = []
    try:
        for period in Period:
            start, end = period_bounds(day, period, settings.timing.zone)
            captured.clear()
            async with db.session() as session:
                await ranking.unit_counts(session, start, end)
            conn = await _connect(url)
            try:
                for (statement, parameters), name in zip(captured, STATEMENTS, strict=True):
                    out.append(f"-- {name}, {period.value} {start.isoformat()} .. {end.isoformat()}\n{statement}\n")
                    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *parameters)
                    out.extend(["-- plan for the parameters", *(row[0] for row in plan), ""])
                    await conn.execute(f"PREPARE bench_{name} AS {statement}")
                    await conn.execute("SET plan_cache_mode = force_generic_plan")
                    arguments = ", ".join(_literal(p) for p in parameters)
                    plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_{name}({arguments})")
                    await conn.execute(f"RESET plan_cache_mode; DEALLOCATE bench_{name}")
                    out.extend(["-- generic plan", *(row[0] for row in plan), ""])
            finally:
                await conn.close()
    finally:
        await db.close()
    return "\n".join(out)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    url = make_url(SERVER).set(database=args.database).render_as_string(hide_password=False)
    settings = Settings(database_url=url, config_dir=ROOT / "config")
    now = datetime.now(UTC)
    yesterday = now.astimezone(settings.timing.zone).date() - timedelta(days=1)
    first_day = yesterday - timedelta(days=args.days - 1)
    city = City(settings.reference, settings.timing, first_day, args.days, now, args.seed)
    figures: dict[str, Any] = {
        "cases": args.cases,
        "days": args.days,
        "first_day": first_day.isoformat(),
        "last_day": yesterday.isoformat(),
    }
    try:
        if args.reuse:
            print(f"reusing database {args.database} (loaded before; its days end where that run's did)", flush=True)
        else:
            print(f"fresh database {args.database}; migrating …", flush=True)
            await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
            await _admin(f'CREATE DATABASE "{args.database}"')
            await migrate(settings)
            print(f"loading {args.cases:,} cases received {first_day} .. {yesterday} ({args.days} days) …", flush=True)
            figures |= await load(url, city, args.cases, args.chunk)
        figures |= await database_figures(url)
        figures["cases"] = figures["rows"]["cases"]
        busy = args.day or await busy_day(url, city)
        month_end = busy.replace(day=1) - timedelta(days=1)
        days = {"busy_day": busy, "last_day_of_last_full_month": month_end}
        print(
            f"timing the ranking of {busy}, and of {month_end} (the longest month to date), {args.runs} runs each …",
            flush=True,
        )
        figures["ranking"] = await measure(url, settings, days, args.runs)
        if args.explain:
            plans = await explain(url, busy, settings)
            path = Path(__file__).parent / "results" / "ranking-explain.txt"
            path.write_text(plans)
            print(plans)
            print(f"plans written to {path}")
    finally:
        if not args.keep:
            await _admin(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
    medians = [
        e[k]["median_s"]
        for e in figures["ranking"].values()
        for k in ("rank_day_new_connection", "rank_day_reused_connection")
    ]
    figures["limit_seconds"] = LIMIT_SECONDS
    figures["slowest_rank_day_median_s"] = max(medians)
    figures["within_limit"] = max(medians) < LIMIT_SECONDS
    return figures


def report(figures: dict[str, Any], path: Path) -> None:
    machine = json.loads(path.read_text())["machine"]
    print(f"\nranking over {figures['cases']:,} cases in PostgreSQL {figures['postgresql']}")
    print(
        f"  machine: {machine['cpus']} cores, {machine['cpu']}, {machine['memory_gib']} GiB, Python {machine['python']}"
    )
    print(f"  cases received {figures['first_day']} .. {figures['last_day']} ({figures['days']} days)", end="")
    if "daily_volume" in figures:
        v = figures["daily_volume"]
        print(f", {v['min']:,}–{v['max']:,} a day (mean {v['mean']:,})")
        print(
            f"  load (COPY, keys and indexes in force): {figures['load_seconds']} s; vacuum + analyse {figures['vacuum_analyze_seconds']} s"
        )
    else:
        print()
    print("  rows: " + ", ".join(f"{t} {n:,}" for t, n in figures["rows"].items()))
    print("  cases by status: " + ", ".join(f"{s} {n:,}" for s, n in figures["case_status"].items()))
    print(
        f"  database size: {figures['database_mib']:,} MiB ("
        + ", ".join(f"{t} {m:,}" for t, m in figures["table_mib"].items())
        + ")"
    )
    print(f"\n  {'timed (s)':<58} {'runs':<22} {'best':>6} {'median':>6}")
    for label, entry in figures["ranking"].items():
        day, month = entry["unit_counts_day"], entry["unit_counts_month"]
        print(f"  {label.replace('_', ' ')}: {entry['day']}, its month to date from {month['from'][:10]}")
        rows = [
            ("rank_day (day + month, stored), new connection", entry["rank_day_new_connection"]),
            ("rank_day, connection that ran it 3 times before", entry["rank_day_reused_connection"]),
            (f"unit_counts, the day ({day['units']} units)", day),
            (f"unit_counts, the month to date ({month['units']} units)", month),
        ]
        for name, t in rows:
            print(
                f"    {name:<56} {', '.join(f'{x:.3f}' for x in t['runs_s']):<22} {t['best_s']:>6.3f} {t['median_s']:>6.3f}"
            )
        for name, t in (("day", day), ("month", month)):
            parts = ", ".join(f"{k} {v:.3f}" for k, v in t["statements_of_best_s"].items())
            print(f"      statements of the best {name} run: {parts}")
        print(f"      the day counted: {', '.join(f'{k} {v:,}' for k, v in day['totals'].items())} (summed over units)")
    verdict = "within" if figures["within_limit"] else "NOT within"
    print(
        f"\n  slowest median of rank_day: {figures['slowest_rank_day_median_s']:.3f} s, {verdict} the {figures['limit_seconds']:.0f} s limit"
    )
    print(f"  written to {path}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ranking", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases to load (default 1,000,000)")
    parser.add_argument("--days", type=int, default=120, help="days they were received over, ending yesterday")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each measurement")
    parser.add_argument("--database", default="minsheng_bench_ranking", help="dropped and created afresh")
    parser.add_argument("--chunk", type=int, default=20_000, help="cases per COPY")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--day", type=date.fromisoformat, help="the day to rank (default: a busy day near the end)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the database a --keep run left, without loading")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of unit_counts' statements")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args))
    name = "ranking" if args.cases == 1_000_000 else f"ranking-{args.cases}"
    path = write_result(name, figures)
    report(figures, path)
    return figures


if __name__ == "__main__":
    main()
