"""Whistle and respond (吹哨报到): summonses, responses and declines, rulings, ratings, and the
slip for a summoned unit that does not respond in time."""

from __future__ import annotations

from datetime import datetime

from domain.case.actions import RateInput, RespondInput, RuleDeclineInput, WhistleInput
from domain.case.model import SYSTEM, ActionRefused, Actor, CaseStatus, Role, SlipKind, Summons, TimelineEvent
from domain.case.record import CaseRecord, attached


class Whistles(CaseRecord):
    def check_whistle(self, inp: WhistleInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("a whistle", CaseStatus.dispatched, CaseStatus.accepted)
        self._require_own_unit(inp.actor)
        for summons in inp.summonses:
            if summons.unit == self.unit:
                raise ActionRefused("conflict", f"{summons.unit} leads case {self.case_id}; it cannot summon itself")
            if any(s.unit == summons.unit and s.status == "summoned" for s in self.summonses.values()):
                raise ActionRefused("conflict", f"{summons.unit} is already summoned to case {self.case_id}")

    def _own_summons(self, actor: Actor, summons_id: str) -> Summons:
        summons = self.summonses.get(summons_id)
        if summons is None:
            raise ActionRefused("conflict", f"case {self.case_id} has no summons {summons_id}")
        if actor.unit != summons.unit:
            raise ActionRefused(
                "forbidden", f"summons {summons_id} of case {self.case_id} is for {summons.unit}, not {actor.unit}"
            )
        return summons

    def check_respond(self, inp: RespondInput) -> None:
        self._require_role(inp.actor, Role.unit)
        summons = self._own_summons(inp.actor, inp.summons_id)
        if summons.status != "summoned":
            raise ActionRefused("conflict", f"summons {inp.summons_id} is already {summons.status}")
        if not (inp.report.strip() or inp.decline_reason.strip()):
            raise ActionRefused("conflict", "say what was done (report) or why not (decline_reason)")

    def check_rule_decline(self, inp: RuleDeclineInput) -> None:
        self._require_role(inp.actor, Role.dispatcher)
        summons = self.summonses.get(inp.summons_id)
        if summons is None or summons.status != "declined":
            raise ActionRefused("conflict", f"summons {inp.summons_id} has no decline waiting for a ruling")

    def check_rate(self, inp: RateInput) -> None:
        self._require_role(inp.actor, Role.unit)
        summons = self.summonses.get(inp.summons_id)
        if summons is None:
            raise ActionRefused("conflict", f"case {self.case_id} has no summons {inp.summons_id}")
        if inp.actor.unit != self.unit:
            raise ActionRefused("forbidden", f"only the lead unit {self.unit} rates the units it summoned")
        if summons.status != "responded":
            raise ActionRefused("conflict", f"{summons.unit} has not responded to summons {inp.summons_id}")
        if summons.rated:
            raise ActionRefused("conflict", f"summons {inp.summons_id} is already rated")

    def whistle(self, at: datetime, inp: WhistleInput) -> list[TimelineEvent]:
        self.check_whistle(inp)
        events = []
        for request in inp.summonses:
            summons = Summons(
                id=f"W{len(self.summonses) + 1}",
                unit=request.unit,
                task=request.task,
                reason=request.reason,
                whistled_at=at,
            )
            self.summonses[summons.id] = summons
            events.append(
                self._event(
                    at,
                    "summoned",
                    inp.actor,
                    {"summons_id": summons.id, "unit": request.unit, "task": request.task, "reason": request.reason},
                )
            )
        return events

    def set_respond_by(self, at: datetime, summons_id: str, respond_by: datetime) -> TimelineEvent:
        summons = self.summonses[summons_id]
        summons.respond_by = respond_by
        return self._event(
            at,
            "response_deadline",
            SYSTEM,
            {"summons_id": summons_id, "unit": summons.unit, "respond_by": respond_by.isoformat()},
        )

    def respond(self, at: datetime, inp: RespondInput) -> TimelineEvent:
        self.check_respond(inp)
        summons = self.summonses[inp.summons_id]
        summons.responded_at = at
        files = attached(inp.attachments)
        if inp.report.strip():
            summons.status, summons.report = "responded", inp.report
            detail = {"summons_id": summons.id, "report": inp.report, "attachments": files}
            return self._event(at, "responded", inp.actor, detail)
        summons.status, summons.decline_reason = "declined", inp.decline_reason
        detail = {"summons_id": summons.id, "reason": inp.decline_reason, "attachments": files}
        return self._event(at, "declined", inp.actor, detail)

    def rule_decline(self, at: datetime, inp: RuleDeclineInput) -> TimelineEvent:
        self.check_rule_decline(inp)
        summons = self.summonses[inp.summons_id]
        summons.ruling_note = inp.note or None
        if inp.uphold:
            summons.status = "released"
        else:
            # Overruled: the unit must respond after all, on a new response deadline.
            summons.status, summons.responded_at, summons.respond_by = "summoned", None, None
            summons.whistled_at = at
        return self._event(
            at,
            "decline_upheld" if inp.uphold else "decline_overruled",
            inp.actor,
            {"summons_id": summons.id, "unit": summons.unit, "note": inp.note or None},
        )

    def rate(self, at: datetime, inp: RateInput) -> TimelineEvent:
        self.check_rate(inp)
        summons = self.summonses[inp.summons_id]
        summons.speed, summons.quality = inp.speed, inp.quality
        summons.rating_comment, summons.rated_at = inp.comment or None, at
        return self._event(
            at,
            "rated",
            inp.actor,
            {
                "summons_id": inp.summons_id,
                "speed": str(inp.speed),
                "quality": str(inp.quality),
                "comment": inp.comment or None,
            },
        )

    def response_slip(self, at: datetime, summons_id: str) -> TimelineEvent:
        summons = self.summonses[summons_id]
        trigger = f"response:{summons_id}"
        self.slips.append(f"{self.round}:{trigger}")
        return self._event(
            at,
            "slip",
            SYSTEM,
            {
                "kind": SlipKind.supervision,
                "trigger": trigger,
                "unit": summons.unit,
                "round": str(self.round),
                "due_at": (summons.respond_by or at).isoformat(),
                "reason": f"summoned to case {self.case_id} and not responded in time",
            },
        )

    def next_response_due(self) -> tuple[str, datetime] | None:
        """The earliest summons past which a supervision slip is still to issue."""
        pending = [
            (s.id, s.respond_by)
            for s in self.summonses.values()
            if s.status == "summoned" and s.respond_by is not None and f"{self.round}:response:{s.id}" not in self.slips
        ]
        return min(pending, key=lambda item: item[1]) if pending else None
