"""One matter, several submissions (一事多投): requests joining the case, and a dispatcher's
corrections (a request split out, the case merged into another)."""

from __future__ import annotations

from datetime import datetime

from domain.case.actions import JoinInput, MergeInput, SplitInput
from domain.case.model import ActionRefused, Actor, CaseStatus, Role, TimelineEvent, Visit
from domain.case.record import CaseRecord


class Merging(CaseRecord):
    def check_join(self, inp: JoinInput) -> None:
        self._require_role(inp.request.actor, Role.intake, Role.dispatcher, Role.system)
        if self.status is CaseStatus.closed and self.joins_until is None:
            raise ActionRefused("conflict", f"case {self.case_id} is closed; a new request starts a new case")
        if self.status is CaseStatus.merged:
            raise ActionRefused("conflict", f"case {self.case_id} was merged into another case; join that one")
        self._require_not_merging()
        if inp.request.request_id in self.requests:
            raise ActionRefused("conflict", f"request {inp.request.request_id} is already part of case {self.case_id}")

    def _check_correction(self, actor: Actor, action: str) -> None:
        """Splits and manual merges are a dispatcher's, and only before the reply: after it the
        citizens have been answered as one matter."""
        self._require_role(actor, Role.dispatcher)
        self._require_status(
            action, CaseStatus.received, CaseStatus.dispatched, CaseStatus.accepted, CaseStatus.returned
        )
        self._require_not_merging()

    def check_split(self, inp: SplitInput) -> None:
        self._check_correction(inp.actor, "a split")
        if inp.request_id not in self.requests:
            raise ActionRefused("conflict", f"request {inp.request_id} is not part of case {self.case_id}")
        if inp.request_id == self.requests[0]:
            raise ActionRefused(
                "conflict",
                f"request {inp.request_id} opened case {self.case_id} and stays with it; split the others out",
            )

    def check_merge(self, inp: MergeInput) -> None:
        self._check_correction(inp.actor, "a merge")
        if inp.into_case_id == self.case_id:
            raise ActionRefused("conflict", f"case {self.case_id} cannot be merged into itself")

    def join(self, at: datetime, inp: JoinInput) -> TimelineEvent:
        self.check_join(inp)
        request = inp.request
        self.requests.append(request.request_id)
        if request.anonymous:  # no one to call back
            self.anonymous.append(request.request_id)
        elif self.visits:  # visits under way: the new citizen is visited in this round too
            self.callbacks[request.request_id] = None
            self.visits[request.request_id] = Visit()
        if self.status is CaseStatus.closed and not request.anonymous:
            self.late_joiners.append(request.request_id)
        return self._event(
            at, "request_joined", request.actor, {"request_id": request.request_id, "channel": request.channel}
        )

    def split(self, at: datetime, inp: SplitInput) -> TimelineEvent:
        self.check_split(inp)
        self.requests.remove(inp.request_id)
        return self._event(
            at,
            "request_split",
            inp.actor,
            {"request_id": inp.request_id, "new_case_id": inp.new_case_id, "reason": inp.reason},
        )

    def move_out(self, at: datetime, request_id: str, inp: MergeInput) -> TimelineEvent:
        """A request of a case being merged has joined the other case."""
        self.requests.remove(request_id)
        return self._event(at, "request_moved", inp.actor, {"request_id": request_id, "into_case_id": inp.into_case_id})

    def merge_into(self, at: datetime, inp: MergeInput) -> TimelineEvent:
        # Checked when the dispatcher asked; the requests have joined the other case since, and
        # nothing else could happen to this case meanwhile (``merging_into``).
        self.status = CaseStatus.merged
        self.merging_into = None
        return self._event(at, "merged", inp.actor, {"into_case_id": inp.into_case_id, "reason": inp.reason})
