"""The case's deadlines and the supervision slips (提示单/督办单/警示单) they trigger."""

from __future__ import annotations

from datetime import datetime

from domain.case.model import CENTRE, QUEUED, SLIP_KIND, SLIP_REASON, SYSTEM, CaseStatus, SlipTrigger, TimelineEvent
from domain.case.record import CaseRecord
from domain.deadlines import CitizenClock, Deadlines
from domain.reference import Tier

OPEN = (CaseStatus.received, CaseStatus.dispatched, CaseStatus.accepted, CaseStatus.returned)


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
        return self._slip_event(at, trigger, self.unit, self.deadlines.due_at)

    def _slip_event(self, at: datetime, trigger: SlipTrigger, unit: str | None, due: datetime) -> TimelineEvent:
        return self._event(
            at,
            "slip",
            SYSTEM,
            {
                "kind": SLIP_KIND[trigger],
                "trigger": trigger,
                "unit": unit,
                "round": str(self.round),
                "due_at": due.isoformat(),
                "reason": SLIP_REASON[trigger],
            },
        )

    # The citizen's clock (from receipt) and the centre's limit to dispatch (from the queue).

    @property
    def clock_tier(self) -> Tier | None:
        """The tier the citizen's clock runs on: the case's, else the classifier's proposal."""
        return self.tier or self.proposed_tier

    @property
    def queue_entered_at(self) -> datetime:
        return self.queued_at or self.received_at

    def citizen_clock_stale(self) -> bool:
        """No clock yet, or the tier or the queue entry it was computed for has changed."""
        clock = self.citizen_clock
        return clock is None or clock.asked != self.clock_tier or clock.queued_at != self.queue_entered_at

    def set_citizen_clock(self, at: datetime, clock: CitizenClock) -> TimelineEvent:
        self.citizen_clock = clock
        return self._event(
            at,
            "citizen_clock",
            SYSTEM,
            {
                "tier": clock.tier,
                "due_at": clock.due_at.isoformat(),
                "dispatch_by": clock.dispatch_by.isoformat() if clock.dispatch_by else None,
                "provisional": "yes" if clock.provisional else None,
            },
        )

    def next_clock_trigger(self) -> tuple[SlipTrigger, datetime] | None:
        """The earliest of: the centre's dispatch limit while the case waits in the queue (once per
        stay there), the citizen's deadline while there is no reply (once per case)."""
        clock = self.citizen_clock
        if clock is None:
            return None
        pending = []
        if self.status in QUEUED and clock.dispatch_by and self._dispatch_key not in self.slips:
            pending.append((SlipTrigger.dispatch, clock.dispatch_by))
        if self.status in OPEN and SlipTrigger.citizen_deadline.value not in self.slips:
            pending.append((SlipTrigger.citizen_deadline, clock.due_at))
        request = self.return_request
        if request and request.status == "requested" and request.decide_by and self._return_key not in self.slips:
            pending.append((SlipTrigger.return_decision, request.decide_by))
        return min(pending, key=lambda item: item[1]) if pending else None

    @property
    def _dispatch_key(self) -> str:
        return f"{self.round}:{SlipTrigger.dispatch.value}"

    @property
    def _return_key(self) -> str:
        assert self.return_request is not None
        return f"{self.round}:{SlipTrigger.return_decision.value}:{self.return_request.requested_at.isoformat()}"

    def set_return_decide_by(self, at: datetime, decide_by: datetime) -> TimelineEvent:
        assert self.return_request is not None
        self.return_request = self.return_request.model_copy(update={"decide_by": decide_by})
        return self._event(at, "return_deadline", SYSTEM, {"decide_by": decide_by.isoformat()})

    def clock_slip(self, at: datetime, trigger: SlipTrigger) -> TimelineEvent:
        assert self.citizen_clock is not None
        if trigger is SlipTrigger.dispatch:
            self.slips.append(self._dispatch_key)
            unit, due = CENTRE, self.citizen_clock.dispatch_by
        elif trigger is SlipTrigger.return_decision:
            assert self.return_request is not None
            self.slips.append(self._return_key)
            unit, due = CENTRE, self.return_request.decide_by
        else:
            self.slips.append(trigger.value)
            # In the queue the centre holds the case; with a unit, the unit does.
            unit, due = (self.unit if self.status not in QUEUED and self.unit else CENTRE), self.citizen_clock.due_at
        assert due is not None
        return self._slip_event(at, trigger, unit, due)
