"""The case's deadlines and the supervision slips (提示单/督办单/警示单) they trigger."""

from __future__ import annotations

from datetime import datetime

from domain.case.model import SLIP_KIND, SLIP_REASON, SYSTEM, CaseStatus, SlipTrigger, TimelineEvent
from domain.case.record import CaseRecord
from domain.deadlines import Deadlines


class Supervision(CaseRecord):
    def set_deadlines(self, at: datetime, deadlines: Deadlines) -> TimelineEvent:
        self.deadlines = deadlines
        return self._event(
            at,
            "deadlines",
            SYSTEM,
            {
                "round": str(self.round),
                "accept_by": deadlines.accept_by.isoformat(),
                "remind_at": deadlines.remind_at.isoformat(),
                "due_at": deadlines.due_at.isoformat(),
                "warn_at": deadlines.warn_at.isoformat(),
                "provisional": "yes" if deadlines.provisional else None,
            },
        )

    def next_trigger(self) -> tuple[SlipTrigger, datetime] | None:
        """The earliest slip still to issue in this dispatch round, if the case is with a unit."""
        if self.status not in (CaseStatus.dispatched, CaseStatus.accepted) or self.deadlines is None:
            return None
        d = self.deadlines
        candidates = [
            (SlipTrigger.acceptance, d.accept_by),
            (SlipTrigger.reminder_point, d.remind_at),
            (SlipTrigger.deadline, d.due_at),
            (SlipTrigger.warning_grace, d.warn_at),
        ]
        pending = [
            (trigger, when)
            for trigger, when in candidates
            if f"{self.round}:{trigger.value}" not in self.slips
            and (trigger is not SlipTrigger.acceptance or self.status is CaseStatus.dispatched)
        ]
        return min(pending, key=lambda item: item[1]) if pending else None

    def slip(self, at: datetime, trigger: SlipTrigger) -> TimelineEvent:
        self.slips.append(f"{self.round}:{trigger.value}")
        if trigger is SlipTrigger.deadline:
            self.overdue = True
        assert self.deadlines is not None
        return self._event(
            at,
            "slip",
            SYSTEM,
            {
                "kind": SLIP_KIND[trigger],
                "trigger": trigger,
                "unit": self.unit,
                "round": str(self.round),
                "due_at": self.deadlines.due_at.isoformat(),
                "reason": SLIP_REASON[trigger],
            },
        )
