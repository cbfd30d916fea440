"""What follows a case's handling in the simulation: callback visits with their attempts, and the
whistles a lead unit blows with the summoned units' answers."""

from __future__ import annotations

from typing import Any

from bench.ranking.clock import CityClock
from bench.ranking.rows import DECLINE, HOUR, SUMMONS_EVENTS, SUMMONS_REPORT, SUMMONS_TASKS, json_str


class Followups(CityClock):
    """Callback visits and whistles, told for one case at a time."""

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
                    f'{{"summons_id": "{sid}", "unit": "{unit}", "task": {json_str(task)}, "reason": {json_str(task)}}}',
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
                        f'{{"summons_id": "{sid}", "reason": {json_str(DECLINE)}}}',
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
                        f'{{"summons_id": "{sid}", "report": {json_str(SUMMONS_REPORT)}}}',
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
