"""The simulated city and the cases it receives, each told from receipt to closure as the workflow
would write it, and cut at the moment the benchmark runs."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from bench.ranking.followups import Followups
from bench.ranking.rows import (
    COMPLAINTS,
    DAY,
    FIRST_ROUND,
    GIVEN,
    HOUR,
    KEEPS_STATUS,
    MINUTE,
    REPLIES,
    RETURN_REASONS,
    SECOND_ROUND,
    SURNAMES,
    Loaded,
    base32_id,
    draw,
    json_str,
    worst_answer,
)
from domain.reference import TOWN_OF_LOCATION


class City(Followups):
    """The simulated city: its units, matters, calendar and clock, and the cases it receives.

    Times are seconds since local midnight of the first day (floats), turned into UTC datetimes
    only for the rows kept."""

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
        case_id = f"{stamp}-{base32_id(n, 0x5DEECE66D)}"
        hour = draw(self.hour_table, r())
        received = self.day_start[day] + hour * HOUR + r() * HOUR
        matter = draw(self.matter_table, r())
        town = draw(self.town_table, r())
        if r() < 0.05:  # a dispatcher's assignment outside the catalogue's rule
            unit = draw(self.unit_table, r())
        else:
            unit = town if matter.responsible == TOWN_OF_LOCATION else matter.responsible
        tier = matter.tier.value
        rule = self.limits[matter.tier]
        channel = draw(self.channel_table, r())

        events: list[tuple[float, str, str, str, str | None, str | None, Any]] = []
        # (at, kind, status after, actor role, actor unit, actor key, detail JSON); the detail of
        # dispatched and deadlines events is (JSON, the unit; or JSON, due time, provisional) to
        # rebuild the case row,
        # and the status of the events in KEEPS_STATUS is the one they find.
        request_id = f"R{stamp}-{base32_id(n, 0x2545F4914F6CDD1D)}"
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
            wrong = draw(self.unit_table, r())
            while wrong == unit:
                wrong = draw(self.unit_table, r())
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
                    f'{{"reason": {json_str(rng.choice(RETURN_REASONS))}}}',
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
            second_channel = draw(self.channel_table, r())
            second_id = f"R{stamp}-{base32_id(n, 0x27BB2EE687B0B0FD)}"
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
                (
                    replied,
                    "replied",
                    "replied",
                    "unit",
                    unit,
                    unit_key,
                    f'{{"result": {json_str(rng.choice(REPLIES))}}}',
                )
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
                    (
                        replied,
                        "replied",
                        "replied",
                        "unit",
                        unit,
                        unit_key,
                        f'{{"result": {json_str(rng.choice(REPLIES))}}}',
                    )
                )
                answers, settled = self.visits(events, attempts, [q[0] for q in requests], 2, replied, SECOND_ROUND)
            final_answers = answers
            closed = settled + 1 + 59 * r()
            outcome = worst_answer(answers.values())
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
        outcome = worst_answer(final_answers.values()) if is_closed else None
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
