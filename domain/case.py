"""The case: its statuses, the actions on it, who may take them and when, and the timeline.

``CaseState`` is the live state a ``CaseWorkflow`` holds. Every action checks its rule first
(``check_*``, raising ``ActionRefused`` with a message a caller can act on) and then changes the
state and returns the ``TimelineEvent`` to record. The workflow's update validators run the same
checks, so a refused action never enters the case's history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.callbacks import CallbackPlan
from domain.classification import Classification
from domain.deadlines import Deadlines
from domain.reference import Tier

NonBlank = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class CaseStatus(StrEnum):
    """Where a case stands. ``received`` and ``returned`` cases wait in the dispatch queue."""

    received = "received"
    dispatched = "dispatched"
    accepted = "accepted"
    returned = "returned"
    replied = "replied"
    closed = "closed"
    merged = "merged"
    """Merged into another case of the same matter by a dispatcher: its requests are that case's."""


class Role(StrEnum):
    intake = "intake"
    dispatcher = "dispatcher"
    unit = "unit"
    callback_agent = "callback_agent"
    leader = "leader"
    auditor = "auditor"
    system = "system"


class CallbackAnswer(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    dissatisfied = "dissatisfied"
    unreachable = "unreachable"


class SlipKind(StrEnum):
    reminder = "reminder"  # 提示单
    supervision = "supervision"  # 督办单
    warning = "warning"  # 警示单


class SlipTrigger(StrEnum):
    """What issues a slip: not accepted in time, the reminder point, the deadline, the grace after it."""

    acceptance = "acceptance"
    reminder_point = "reminder_point"
    deadline = "deadline"
    warning_grace = "warning_grace"


SLIP_KIND = {
    SlipTrigger.acceptance: SlipKind.reminder,
    SlipTrigger.reminder_point: SlipKind.reminder,
    SlipTrigger.deadline: SlipKind.supervision,
    SlipTrigger.warning_grace: SlipKind.warning,
}
SLIP_REASON = {
    SlipTrigger.acceptance: "not accepted within the acceptance limit",
    SlipTrigger.reminder_point: "the reminder point of the handling limit passed without a reply",
    SlipTrigger.deadline: "the handling deadline passed without a reply; the case is overdue",
    SlipTrigger.warning_grace: "the warning grace after the deadline passed without a reply",
}


class Actor(BaseModel):
    """Who acts: a role, the unit for unit keys, and the API key id (never the key itself)."""

    role: Role
    unit: str | None = None
    key_id: str | None = None


SYSTEM = Actor(role=Role.system)


class CaseRequestRef(BaseModel):
    """What the workflow needs of a request; the citizen's name and phone stay in the database."""

    request_id: str
    channel: str
    content: str
    address: str
    grid: str | None = None
    category_hint: str | None = None
    received_at: datetime
    actor: Actor


class CaseInput(BaseModel):
    case_id: str
    request: CaseRequestRef
    classify_threshold: float
    joins_after_close_days: int = 0
    """Days a closed case still takes repeat submissions of its matter (一事多投), whose citizens
    then get its reply and a visit. 0 for cases started before this existed: they replay as they ran."""
    history_limit: int | None = None
    """History events at which the case continues as a new run; None: when the server suggests."""
    carried: CaseState | None = None
    """The state the run before handed on when it continued as new."""


class DispatchInput(BaseModel):
    actor: Actor
    unit: str
    domain: str
    matter_type: str
    tier: Tier
    note: str = ""


class AcceptInput(BaseModel):
    actor: Actor
    note: str = ""


class ReturnInput(BaseModel):
    actor: Actor
    reason: NonBlank


class ReplyInput(BaseModel):
    actor: Actor
    result: NonBlank


class CallbackInput(BaseModel):
    actor: Actor
    request_id: str
    answer: CallbackAnswer
    note: str = ""
    attempt: int | None = None
    """The attempt answered (the callback task's); an answer to an attempt no longer open is refused."""


class JoinInput(BaseModel):
    """A further request of the same matter joins the case (merging 一事多投): its citizen is
    visited too."""

    request: CaseRequestRef


class SplitInput(BaseModel):
    """A dispatcher takes a wrongly merged request out of the case: it becomes a case of its own."""

    actor: Actor
    request_id: str
    new_case_id: str
    reason: NonBlank


class MergeInput(BaseModel):
    """A dispatcher merges this case into another case of the same matter, a merge intake missed:
    this case's requests join that case, and this one ends as ``merged``."""

    actor: Actor
    into_case_id: str
    reason: NonBlank


class SplitRequestInput(BaseModel):
    """The split's activity: the request's own case, in the database and as a workflow."""

    case_id: str
    split: SplitInput


class MergeCaseInput(BaseModel):
    """The manual merge's activity: a request of the case joins the other case's workflow, then
    moves to it in the database."""

    case_id: str
    merge: MergeInput
    request_id: str


class Visit(BaseModel):
    """One citizen's callback visit in the current round: the attempt handed to the gateway last,
    and whether its answer is still out."""

    attempt: int = 0
    awaiting: bool = False


class TierChangeInput(BaseModel):
    actor: Actor
    tier: Tier
    reason: NonBlank


class ExtensionRequestInput(BaseModel):
    actor: Actor
    until: datetime
    reason: NonBlank


class ExtensionDecisionInput(BaseModel):
    actor: Actor
    approve: bool
    note: str = ""


class SummonsRequest(BaseModel):
    unit: str
    task: NonBlank
    reason: NonBlank


class WhistleInput(BaseModel):
    """The lead unit summons other units to the case (吹哨)."""

    actor: Actor
    summonses: list[SummonsRequest] = Field(min_length=1, max_length=20)


class RespondInput(BaseModel):
    """A summoned unit reports for duty (报到) with what it did, or declines with a reason."""

    actor: Actor
    summons_id: str
    report: str = ""
    decline_reason: str = ""


class RuleDeclineInput(BaseModel):
    actor: Actor
    summons_id: str
    uphold: bool
    note: str = ""


class RateInput(BaseModel):
    actor: Actor
    summons_id: str
    speed: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    comment: str = ""


class Summons(BaseModel):
    id: str
    unit: str
    task: str
    reason: str
    whistled_at: datetime
    respond_by: datetime | None = None
    status: Literal["summoned", "responded", "declined", "released"] = "summoned"
    responded_at: datetime | None = None
    report: str | None = None
    decline_reason: str | None = None
    ruling_note: str | None = None
    speed: int | None = None
    quality: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = None

    @property
    def rated(self) -> bool:
        return self.rated_at is not None


class ResponseDeadlineInput(BaseModel):
    tier: Tier
    start: datetime


class Extension(BaseModel):
    until: datetime
    reason: str
    status: Literal["requested", "approved", "refused"] = "requested"


class TimelineEvent(BaseModel):
    seq: int
    at: datetime
    kind: str
    status: CaseStatus
    actor: Actor
    detail: dict[str, str] = {}


class ActionRefused(Exception):
    """An action that may not be taken now, or not by this actor. ``kind`` maps to 403 or 409."""

    def __init__(self, kind: Literal["forbidden", "conflict"], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class CaseState(BaseModel):
    case_id: str
    status: CaseStatus = CaseStatus.received
    channel: str
    received_at: datetime
    domain: str | None = None
    matter_type: str | None = None
    tier: Tier | None = None
    unit: str | None = None
    confidence: float | None = None
    requests: list[str]
    callbacks: dict[str, CallbackAnswer | None] = {}
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
    merging_into: str | None = None
    """Set while a dispatcher's merge into that case moves the requests: the case takes no other
    correction, join or reply meanwhile."""

    @property
    def waiting_on(self) -> list[str]:
        """The units summoned and not yet answered, for the CaseWaitingOn search attribute."""
        return sorted({s.unit for s in self.summonses.values() if s.status == "summoned"})

    # -- rules -------------------------------------------------------------------------------

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

    def check_reply(self, inp: ReplyInput) -> None:
        self._require_role(inp.actor, Role.unit)
        self._require_status("reply", CaseStatus.accepted)
        self._require_own_unit(inp.actor)
        self._require_not_merging()

    def _require_not_merging(self) -> None:
        if self.merging_into:
            raise ActionRefused("conflict", f"case {self.case_id} is being merged into case {self.merging_into}")

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

    # -- transitions -------------------------------------------------------------------------

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

    def receive(self, request: CaseRequestRef) -> TimelineEvent:
        return self._event(
            request.received_at,
            "received",
            request.actor,
            {"request_id": request.request_id, "channel": request.channel},
        )

    def classified(self, at: datetime, result: Classification) -> TimelineEvent:
        self.confidence = result.confidence
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
            },
        )

    def dispatch(self, at: datetime, inp: DispatchInput) -> TimelineEvent:
        self.check_dispatch(inp)
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
        self.status = CaseStatus.returned
        return self._event(at, "returned", inp.actor, {"reason": inp.reason})

    def reply(self, at: datetime, inp: ReplyInput) -> TimelineEvent:
        self.check_reply(inp)
        self.status = CaseStatus.replied
        self.replied_at = at
        self.callbacks = {request_id: None for request_id in self.requests}
        return self._event(at, "replied", inp.actor, {"result": inp.result})

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
        if inp.report.strip():
            summons.status, summons.report = "responded", inp.report
            return self._event(at, "responded", inp.actor, {"summons_id": summons.id, "report": inp.report})
        summons.status, summons.decline_reason = "declined", inp.decline_reason
        return self._event(at, "declined", inp.actor, {"summons_id": summons.id, "reason": inp.decline_reason})

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

    def refused(self, at: datetime, action: str, actor: Actor, reason: str) -> TimelineEvent:
        """A signal that may not be acted on: it is recorded, not dropped."""
        return self._event(at, "refused", actor, {"action": action, "reason": reason})

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

    def join(self, at: datetime, inp: JoinInput) -> TimelineEvent:
        self.check_join(inp)
        request = inp.request
        self.requests.append(request.request_id)
        if self.visits:  # visits under way: the new citizen is visited in this round too
            self.callbacks[request.request_id] = None
            self.visits[request.request_id] = Visit()
        if self.status is CaseStatus.closed:
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

    def plan_callbacks(self, at: datetime, plan: CallbackPlan) -> TimelineEvent:
        """Open a round of visits, one per citizen of the case."""
        self.callback_round += 1
        self.callback_plan = plan
        self.callbacks = {request_id: None for request_id in self.requests}
        self.visits = {request_id: Visit() for request_id in self.requests}
        return self._event(
            at,
            "callbacks_planned",
            SYSTEM,
            {
                "round": str(self.callback_round),
                "citizens": str(len(self.requests)),
                "attempts_due": ",".join(t.isoformat() for t in plan.attempt_due),
            },
        )

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
        return self.record_answer(at, inp.actor, inp.request_id, inp.answer, inp.note)

    def record_answer(
        self, at: datetime, actor: Actor, request_id: str, answer: CallbackAnswer, note: str = "", final: bool = False
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
        return self._event(
            at,
            "callback",
            actor,
            {
                "request_id": request_id,
                "answer": answer,
                "note": note or None,
                "round": str(self.callback_round) if visit else None,
                "attempt": str(visit.attempt) if visit else None,
                "final": ("yes" if final else "no") if visit else None,
            },
        )

    @property
    def callbacks_done(self) -> bool:
        return bool(self.callbacks) and all(a is not None for a in self.callbacks.values())

    @property
    def reopen_due(self) -> bool:
        """A citizen is dissatisfied and the policy allows another round of handling (重办)."""
        plan = self.callback_plan
        dissatisfied = CallbackAnswer.dissatisfied in self.callbacks.values()
        return bool(plan and dissatisfied and self.reopened < plan.reopen_limit)

    def reopen(self, at: datetime) -> TimelineEvent:
        """Back to the same unit as a new dispatch round, with a fresh deadline from its tier."""
        dissatisfied = sorted(r for r, a in self.callbacks.items() if a is CallbackAnswer.dissatisfied)
        self.reopened += 1
        self.status = CaseStatus.dispatched
        self.round += 1
        self.dispatched_at = at
        self.deadlines = None
        self.extension = None
        self.replied_at = None
        self.callbacks, self.visits = {}, {}
        return self._event(
            at,
            "reopened",
            SYSTEM,
            {"unit": self.unit, "round": str(self.round), "dissatisfied": ",".join(dissatisfied)},
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

    def close(self, at: datetime) -> TimelineEvent:
        self.status = CaseStatus.closed
        self.closed_at = at
        answers = ",".join(sorted({a.value for a in self.callbacks.values() if a is not None}))
        outcome = self.outcome.value if self.visits and self.outcome else None
        return self._event(at, "closed", SYSTEM, {"callback_answers": answers, "outcome": outcome})


class CaseEvents(BaseModel):
    """The persistence activity's input: new timeline events and the state after them."""

    state: CaseState
    events: list[TimelineEvent]


class DeadlineInput(BaseModel):
    """The deadline activity's input: the tier, the dispatch instant, an approved new date."""

    tier: Tier
    start: datetime
    due_at: datetime | None = None


class VisitInput(BaseModel):
    """One attempt of one citizen's callback visit, for the gateway."""

    case_id: str
    request_id: str
    unit: str | None
    round: int
    attempt: int
    due_at: datetime


class PlanInput(BaseModel):
    replied_at: datetime


class CallbackTasks(BaseModel):
    """The callback activity's input: one callback task per request of the case."""

    case_id: str
    unit: str | None
    request_ids: list[str]
    round: int = 1
