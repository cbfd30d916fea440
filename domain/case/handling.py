"""Dispatch, accept, return, reply (派单/签收/退办/办结), tier changes and extensions (延期)."""

from __future__ import annotations

from datetime import datetime

from domain.case.actions import (
    AcceptInput,
    AnswerInput,
    DispatchInput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    ReplyInput,
    ReturnDecisionInput,
    ReturnInput,
    TierChangeInput,
)
from domain.case.model import QUEUED, ActionRefused, CaseStatus, Extension, ReturnRequest, Role, TimelineEvent
from domain.case.record import CaseRecord, attached


class Handling(CaseRecord):
    def check_dispatch(self, inp: DispatchInput) -> None:
        # The system dispatches a confidently classified case; people dispatch the rest.
        self._require_role(inp.actor, Role.dispatcher, Role.system)
        self._require_status("dispatch", CaseStatus.received, CaseStatus.returned)

    def check_accept(self, inp: AcceptInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("accept", CaseStatus.dispatched)
        self._require_own_unit(inp.actor)

    def check_return(self, inp: ReturnInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("return", CaseStatus.dispatched, CaseStatus.accepted)
        self._require_own_unit(inp.actor)
        if self.return_pending:
            raise ActionRefused("conflict", f"case {self.case_id} already has a return waiting for a dispatcher")

    def check_return_decision(self, inp: ReturnDecisionInput) -> None:
        self._require_role(inp.actor, Role.dispatcher)
        self._require_status("a return decision", CaseStatus.dispatched, CaseStatus.accepted)
        if not self.return_pending:
            raise ActionRefused("conflict", f"case {self.case_id} has no return waiting for a decision")

    @property
    def return_pending(self) -> bool:
        return self.return_request is not None and self.return_request.status == "requested"

    def check_reply(self, inp: ReplyInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("reply", CaseStatus.accepted)
        self._require_own_unit(inp.actor)
        self._require_not_merging()

    def check_answer(self, inp: AnswerInput) -> None:
        # The operator on the call (an intake key) or a dispatcher, while no unit has the case.
        self._require_role(inp.actor, Role.intake, Role.dispatcher)
        self._require_status("an answer at first contact", *QUEUED)
        self._require_not_merging()
        if self.for_information:
            raise ActionRefused(
                "conflict", f"case {self.case_id} is a {self.kind}: it goes to its unit for information"
            )

    def answer(self, at: datetime, inp: AnswerInput) -> TimelineEvent:
        """The centre's answer closes the matter without a unit: the case is replied, visited back
        where the city says so, and counted as resolved at first contact."""
        self.check_answer(inp)
        self.status = CaseStatus.replied
        self.replied_at = at
        self.first_contact = True
        self.knowledge_entry = inp.knowledge_entry
        self.callbacks = {request_id: None for request_id in self.visitable}
        return self._event(
            at,
            "answered",
            inp.actor,
            {
                "answer": inp.answer,
                "knowledge_entry": None if inp.knowledge_entry is None else str(inp.knowledge_entry),
                "knowledge_version": None if inp.knowledge_version is None else str(inp.knowledge_version),
            },
        )

    def check_tier_change(self, inp: TierChangeInput) -> None:
        self._require_role(inp.actor, Role.dispatcher)
        self._require_status(
            "a tier change", CaseStatus.received, CaseStatus.dispatched, CaseStatus.accepted, CaseStatus.returned
        )
        if inp.tier == self.tier:
            raise ActionRefused("conflict", f"case {self.case_id} is already {inp.tier.value}")

    def check_extension_request(self, inp: ExtensionRequestInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("an extension request", CaseStatus.dispatched, CaseStatus.accepted)
        self._require_own_unit(inp.actor)
        if self.extension is not None and self.extension.status == "requested":
            raise ActionRefused("conflict", f"case {self.case_id} already has an extension request waiting")
        if self.deadlines is not None and inp.until <= self.deadlines.due_at:
            raise ActionRefused(
                "conflict",
                f"the new date {inp.until.isoformat()} is not after the deadline {self.deadlines.due_at.isoformat()}",
            )

    def check_extension_decision(self, inp: ExtensionDecisionInput) -> None:
        self._require_role(inp.actor, Role.dispatcher)
        self._require_status("an extension decision", CaseStatus.dispatched, CaseStatus.accepted)
        if self.extension is None or self.extension.status != "requested":
            raise ActionRefused("conflict", f"case {self.case_id} has no extension request waiting")

    def dispatch(self, at: datetime, inp: DispatchInput) -> TimelineEvent:
        self.check_dispatch(inp)
        self.return_request = None
        self.status = CaseStatus.dispatched
        self.round += 1
        self.dispatched_at = at
        self.deadlines = None
        self.extension = None
        self.unit, self.domain, self.matter_type, self.tier = (
            inp.unit,
            inp.domain,
            inp.matter_type,
            inp.tier,
        )
        return self._event(
            at,
            "dispatched",
            inp.actor,
            {
                "unit": inp.unit,
                "domain": inp.domain,
                "matter_type": inp.matter_type,
                "tier": inp.tier,
                "note": inp.note or None,
            },
        )

    def accept(self, at: datetime, inp: AcceptInput) -> TimelineEvent:
        self.check_accept(inp)
        self.status = CaseStatus.accepted
        return self._event(at, "accepted", inp.actor, {"note": inp.note or None})

    def return_(self, at: datetime, inp: ReturnInput) -> TimelineEvent:
        self.check_return(inp)
        if self.return_approval:
            self.return_request = ReturnRequest(reason=inp.reason, actor=inp.actor, requested_at=at)
            return self._event(at, "return_requested", inp.actor, {"reason": inp.reason})
        self.status = CaseStatus.returned
        self.queued_at = at
        return self._event(at, "returned", inp.actor, {"reason": inp.reason})

    def decide_return(self, at: datetime, inp: ReturnDecisionInput) -> TimelineEvent:
        """Approved: the case is returned, as the unit's act (its return rate counts it), back in
        the queue. Refused: it stays with the unit, whose deadline never stopped."""
        self.check_return_decision(inp)
        request = self.return_request
        assert request is not None
        detail = {"reason": request.reason, "note": inp.note or None, "decided_by": inp.actor.key_id}
        if not inp.approve:
            self.return_request = request.model_copy(update={"status": "refused"})
            return self._event(at, "return_refused", inp.actor, detail)
        self.return_request = request.model_copy(update={"status": "approved"})
        self.status = CaseStatus.returned
        self.queued_at = at
        return self._event(at, "returned", request.actor, detail)

    def reply(self, at: datetime, inp: ReplyInput) -> TimelineEvent:
        self.check_reply(inp)
        self.status = CaseStatus.replied
        self.replied_at = at
        if self.return_pending:  # the unit handled it after all
            assert self.return_request is not None
            self.return_request = self.return_request.model_copy(update={"status": "withdrawn"})
        self.callbacks = {request_id: None for request_id in self.visitable}
        return self._event(at, "replied", inp.actor, {"result": inp.result, "attachments": attached(inp.attachments)})

    def change_tier(self, at: datetime, inp: TierChangeInput) -> TimelineEvent:
        self.check_tier_change(inp)
        before, self.tier = self.tier, inp.tier
        self.deadlines = None  # recomputed from the same dispatch; slips already issued stay
        return self._event(at, "tier_changed", inp.actor, {"from": before, "to": inp.tier, "reason": inp.reason})

    def request_extension(self, at: datetime, inp: ExtensionRequestInput) -> TimelineEvent:
        self.check_extension_request(inp)
        self.extension = Extension(until=inp.until, reason=inp.reason)
        return self._event(at, "extension_requested", inp.actor, {"until": inp.until.isoformat(), "reason": inp.reason})

    def decide_extension(self, at: datetime, inp: ExtensionDecisionInput) -> TimelineEvent:
        self.check_extension_decision(inp)
        assert self.extension is not None
        self.extension = self.extension.model_copy(update={"status": "approved" if inp.approve else "refused"})
        if inp.approve:
            self.deadlines = None  # recomputed with the approved date
        return self._event(
            at,
            "extension_approved" if inp.approve else "extension_refused",
            inp.actor,
            {"until": self.extension.until.isoformat(), "note": inp.note or None},
        )

    @property
    def extended_until(self) -> datetime | None:
        return self.extension.until if self.extension and self.extension.status == "approved" else None
