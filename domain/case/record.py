"""What a case holds, and what every part of its rules shares: the role, status and unit checks,
and the timeline event each transition returns."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel

from domain.callbacks import CallbackPlan
from domain.case.model import (
    SYSTEM,
    ActionRefused,
    Actor,
    AttachmentRef,
    CallbackAnswer,
    CaseRequestRef,
    CaseStatus,
    Extension,
    Resolution,
    ReturnRequest,
    Role,
    Summons,
    TimelineEvent,
    Visit,
)
from domain.classification import Classification
from domain.deadlines import CitizenClock, Deadlines
from domain.reference import RequestKind, Tier


def attached(refs: list[AttachmentRef]) -> str | None:
    """A timeline event's ``attachments`` detail: the files' ids and hashes as one JSON text (an
    event's details are strings); None, and so no detail, without files."""
    return json.dumps([r.model_dump() for r in refs]) if refs else None


class CaseRecord(BaseModel):
    case_id: str
    status: CaseStatus = CaseStatus.received
    channel: str
    received_at: datetime
    domain: str | None = None
    matter_type: str | None = None
    tier: Tier | None = None
    unit: str | None = None
    confidence: float | None = None
    classifier_model: str | None = None
    """The version of the classifier model that classified the case (None: the keywords alone)."""
    requests: list[str]
    kind: RequestKind | None = None
    """The first request's kind; None on cases from before kinds existed."""
    for_information: bool = False
    """A suggestion or praise: forwarded to its unit for information, no deadline, no visit."""
    first_contact: bool = False
    """Answered by the centre at first contact (一次性答复): no unit handled it."""
    knowledge_entry: int | None = None
    callbacks: dict[str, CallbackAnswer | None] = {}
    resolutions: dict[str, Resolution | None] = {}
    """Each citizen's answer to "was it solved", in the round of ``callbacks``."""
    closed_at: datetime | None = None
    seq: int = 0
    # One dispatch round per (re-)dispatch: each unit gets its own limit from its own dispatch.
    round: int = 0
    dispatched_at: datetime | None = None
    deadlines: Deadlines | None = None
    extension: Extension | None = None
    overdue: bool = False
    replied_at: datetime | None = None
    slips: list[str] = []
    """``round:trigger`` of every slip issued, so each is issued once."""
    summonses: dict[str, Summons] = {}
    # Callback visits (回访), one round per reply. Empty ``visits``: a case started before visits
    # were activities, whose agents answered the callback tasks directly.
    callback_round: int = 0
    callback_plan: CallbackPlan | None = None
    visits: dict[str, Visit] = {}
    reopened: int = 0
    joins_until: datetime | None = None
    """While set, the closed case still takes requests of its matter (until then)."""
    late_joiners: list[str] = []
    """Requests that joined after the close, not yet visited."""
    anonymous: list[str] = []
    """Requests with no name and no phone: handled, never called back (nor counted unreachable)."""
    proposed_tier: Tier | None = None
    """The classifier's tier for a case it was not sure of: the citizen's clock runs on it."""
    queued_at: datetime | None = None
    """When a unit's return put the case back in the dispatch queue (else it entered at receipt)."""
    citizen_clock: CitizenClock | None = None
    return_approval: bool = False
    """A unit's return waits for a dispatcher's decision (cases started before: it took effect at once)."""
    return_request: ReturnRequest | None = None
    merging_into: str | None = None
    """Set while a dispatcher's merge into that case moves the requests: the case takes no other
    correction, join or reply meanwhile."""

    @property
    def waiting_on(self) -> list[str]:
        """The units summoned and not yet answered, for the CaseWaitingOn search attribute."""
        return sorted({s.unit for s in self.summonses.values() if s.status == "summoned"})

    def _require_role(self, actor: Actor, *roles: Role) -> None:
        if actor.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise ActionRefused("forbidden", f"only {allowed} may do this; you act as {actor.role}")

    def _require_status(self, action: str, *statuses: CaseStatus) -> None:
        if self.status not in statuses:
            allowed = " or ".join(s.value for s in statuses)
            raise ActionRefused(
                "conflict",
                f"case {self.case_id} is {self.status.value}; {action} needs a case that is {allowed}",
            )

    def _require_own_unit(self, actor: Actor) -> None:
        if actor.unit != self.unit:
            raise ActionRefused(
                "forbidden",
                f"case {self.case_id} is assigned to {self.unit or 'no unit'}, not to {actor.unit}",
            )

    def _require_not_merging(self) -> None:
        if self.merging_into:
            raise ActionRefused("conflict", f"case {self.case_id} is being merged into case {self.merging_into}")

    def _event(self, at: datetime, kind: str, actor: Actor, detail: dict[str, str | None]) -> TimelineEvent:
        self.seq += 1
        return TimelineEvent(
            seq=self.seq,
            at=at,
            kind=kind,
            status=self.status,
            actor=actor,
            detail={k: v for k, v in detail.items() if v is not None},
        )

    @property
    def visitable(self) -> list[str]:
        """The requests whose citizens are called back: all but the anonymous."""
        return [r for r in self.requests if r not in self.anonymous]

    def receive(self, request: CaseRequestRef) -> TimelineEvent:
        if request.anonymous:
            self.anonymous.append(request.request_id)
        return self._event(
            request.received_at,
            "received",
            request.actor,
            {"request_id": request.request_id, "channel": request.channel},
        )

    def classified(self, at: datetime, result: Classification) -> TimelineEvent:
        self.confidence = result.confidence
        self.classifier_model = result.model
        self.proposed_tier = result.tier
        return self._event(
            at,
            "classified",
            SYSTEM,
            {
                "domain": result.domain,
                "matter_type": result.matter_type,
                "tier": result.tier,
                "unit": result.unit,
                "confidence": f"{result.confidence:.3f}",
                "outcome": "dispatch" if result.confident else "dispatcher queue",
                "reason": result.reason,
                "model": result.model,
                # The dispatcher's proposals, as one JSON text: an event's details are strings.
                "proposals": json.dumps([p.model_dump() for p in result.proposals], ensure_ascii=False)
                if result.proposals
                else None,
            },
        )

    def refused(self, at: datetime, action: str, actor: Actor, reason: str) -> TimelineEvent:
        """A signal that may not be acted on: it is recorded, not dropped."""
        return self._event(at, "refused", actor, {"action": action, "reason": reason})
