"""Callback visits (回访) to every citizen of the case, reopening (重办) on dissatisfaction, and the
close."""

from __future__ import annotations

from datetime import datetime

from domain.callbacks import CallbackPlan
from domain.case.actions import CallbackInput
from domain.case.model import (
    SYSTEM,
    ActionRefused,
    Actor,
    CallbackAnswer,
    CaseStatus,
    Resolution,
    Role,
    TimelineEvent,
    Visit,
)
from domain.case.record import CaseRecord


class Visits(CaseRecord):
    def check_callback(self, inp: CallbackInput) -> None:
        self._require_role(inp.actor, Role.callback_agent)
        if self.status is not CaseStatus.closed:  # a closed case's late joiners are visited too
            self._require_status("a callback answer", CaseStatus.replied)
        if inp.request_id not in self.callbacks:
            raise ActionRefused("conflict", f"request {inp.request_id} is not part of case {self.case_id}")
        if self.callbacks[inp.request_id] is not None:
            raise ActionRefused(
                "conflict",
                f"the callback for request {inp.request_id} is already answered ({self.callbacks[inp.request_id]})",
            )
        visit = self.visits.get(inp.request_id)
        if self.visits and (visit is None or not visit.awaiting):
            raise ActionRefused(
                "conflict", f"no callback attempt for request {inp.request_id} is waiting for an answer"
            )
        if visit and inp.attempt is not None and inp.attempt != visit.attempt:
            raise ActionRefused(
                "conflict",
                f"attempt {inp.attempt} of the callback for request {inp.request_id} is closed; "
                f"attempt {visit.attempt} is open",
            )

    def plan_callbacks(self, at: datetime, plan: CallbackPlan) -> TimelineEvent:
        """Open a round of visits, one per citizen of the case."""
        self.callback_round += 1
        self.callback_plan = plan
        self.callbacks = {request_id: None for request_id in self.visitable}
        self.resolutions = {request_id: None for request_id in self.visitable}
        self.visits = {request_id: Visit() for request_id in self.visitable}
        return self._event(
            at,
            "callbacks_planned",
            SYSTEM,
            {
                "round": str(self.callback_round),
                "citizens": str(len(self.visits)),
                "anonymous": str(len(self.anonymous)) if self.anonymous else None,
                "attempts_due": ",".join(t.isoformat() for t in plan.attempt_due),
            },
        )

    def no_callbacks(self, at: datetime) -> TimelineEvent:
        """Every request of the case is anonymous: no one to call back; the case closes on its reply.
        Counted apart from the unreachable."""
        return self._event(at, "no_callback", SYSTEM, {"anonymous": str(len(self.anonymous))})

    def plan_late_visits(self, at: datetime, plan: CallbackPlan) -> TimelineEvent:
        """Visits for the requests that joined the closed case: its reply, and their answers."""
        joiners, self.late_joiners = self.late_joiners, []
        self.callback_plan = plan
        return self._event(
            at,
            "callbacks_planned",
            SYSTEM,
            {
                "round": str(self.callback_round),
                "citizens": str(len(joiners)),
                "late_joiners": ",".join(joiners),
                "attempts_due": ",".join(t.isoformat() for t in plan.attempt_due),
            },
        )

    def hand_over(self, request_id: str, attempt: int) -> None:
        """An attempt goes to the callback gateway; answers to it are accepted from now on."""
        self.visits[request_id] = Visit(attempt=attempt, awaiting=True)

    def callback(self, at: datetime, inp: CallbackInput) -> TimelineEvent:
        self.check_callback(inp)
        return self.record_answer(at, inp.actor, inp.request_id, inp.answer, inp.note, resolution=inp.resolution)

    def record_answer(
        self,
        at: datetime,
        actor: Actor,
        request_id: str,
        answer: CallbackAnswer,
        note: str = "",
        final: bool = False,
        resolution: Resolution | None = None,
    ) -> TimelineEvent:
        """An attempt's answer. Unreachable with attempts left leaves the visit open for the next
        attempt; any other answer, or the last attempt, settles the citizen's answer."""
        visit = self.visits.get(request_id)
        if visit:
            visit.awaiting = False
            attempts = len(self.callback_plan.attempt_due) if self.callback_plan else 1
            final = final or answer is not CallbackAnswer.unreachable or visit.attempt >= attempts
        else:
            final = True
        if final:
            self.callbacks[request_id] = answer
            if resolution is not None:
                self.resolutions[request_id] = resolution
        return self._event(
            at,
            "callback",
            actor,
            {
                "request_id": request_id,
                "answer": answer,
                "resolution": resolution,
                "note": note or None,
                "round": str(self.callback_round) if visit else None,
                "attempt": str(visit.attempt) if visit else None,
                "final": ("yes" if final else "no") if visit else None,
            },
        )

    @property
    def callbacks_done(self) -> bool:
        return bool(self.callbacks) and all(a is not None for a in self.callbacks.values())

    def _unsolved(self) -> list[str]:
        """The citizens whose answer reopens the case: dissatisfied, or (where the policy says so)
        not solved."""
        plan = self.callback_plan
        not_solved = bool(plan and plan.reopen_on_not_solved)
        return sorted(
            r
            for r, a in self.callbacks.items()
            if a is CallbackAnswer.dissatisfied or (not_solved and self.resolutions.get(r) is Resolution.not_solved)
        )

    @property
    def reopen_due(self) -> bool:
        """A citizen is dissatisfied (or says it is not solved) and the policy allows another round
        of handling (重办)."""
        plan = self.callback_plan
        return bool(plan and self._unsolved() and self.reopened < plan.reopen_limit)

    def reopen(self, at: datetime) -> TimelineEvent:
        """Back to the same unit as a new dispatch round, with a fresh deadline from its tier; a
        case the centre answered itself goes to the dispatch queue instead."""
        dissatisfied = sorted(r for r, a in self.callbacks.items() if a is CallbackAnswer.dissatisfied)
        not_solved = sorted(set(self._unsolved()) - set(dissatisfied))
        self.reopened += 1
        self.deadlines = None
        self.extension = None
        self.replied_at = None
        self.callbacks, self.visits, self.resolutions = {}, {}, {}
        if self.unit is None:
            self.status = CaseStatus.received
            self.queued_at = at
        else:
            self.status = CaseStatus.dispatched
            self.round += 1
            self.dispatched_at = at
        return self._event(
            at,
            "reopened",
            SYSTEM,
            {
                "unit": self.unit,
                "round": str(self.round),
                "dissatisfied": ",".join(dissatisfied),
                "not_solved": ",".join(not_solved) or None,
            },
        )

    @property
    def outcome(self) -> CallbackAnswer | None:
        """The case's callback outcome: its least satisfied citizen's answer, unreachable last."""
        answers = {a for a in self.callbacks.values() if a is not None}
        for answer in (
            CallbackAnswer.dissatisfied,
            CallbackAnswer.basically_satisfied,
            CallbackAnswer.satisfied,
            CallbackAnswer.unreachable,
        ):
            if answer in answers:
                return answer
        return None

    @property
    def resolved_first_time(self) -> bool | None:
        """For the first-contact resolution rate, once closed: settled in the first round, never
        reopened, no citizen dissatisfied or saying it is not solved. None while open, and for a
        suggestion or praise, which was only forwarded."""
        if self.status is not CaseStatus.closed or self.for_information:
            return None
        unsolved = any(
            a is CallbackAnswer.dissatisfied or self.resolutions.get(r) is Resolution.not_solved
            for r, a in self.callbacks.items()
        )
        return self.reopened == 0 and not unsolved

    def close(self, at: datetime) -> TimelineEvent:
        self.status = CaseStatus.closed
        self.closed_at = at
        answers = ",".join(sorted({a.value for a in self.callbacks.values() if a is not None}))
        outcome = self.outcome.value if self.visits and self.outcome else None
        return self._event(at, "closed", SYSTEM, {"callback_answers": answers, "outcome": outcome})
