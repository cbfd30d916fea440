"""The case's vocabulary: statuses, roles, who acts, summonses, visits, timeline events, and the
refusal every check raises."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.reference import RequestKind

NonBlank = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class CaseStatus(StrEnum):
    """Where a case stands. ``received`` and ``returned`` cases wait in the dispatch queue."""

    starting = "starting"
    """Taken in while the case engine could not be reached: kept, and started by the reconciler
    once the engine answers. Only the read model shows it: a workflow begins at ``received``."""
    received = "received"
    dispatched = "dispatched"
    accepted = "accepted"
    returned = "returned"
    replied = "replied"
    closed = "closed"
    merged = "merged"
    """Merged into another case of the same matter by a dispatcher: its requests are that case's."""


QUEUED = (CaseStatus.received, CaseStatus.returned)
"""The statuses of a case waiting in the dispatch queue."""


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


class Resolution(StrEnum):
    """The callback's second question: was the matter solved (解决情况)."""

    solved = "solved"
    partly_solved = "partly_solved"
    not_solved = "not_solved"


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
    dispatch = "dispatch"
    """The centre did not dispatch within its limit (the case waits in the dispatch queue)."""
    citizen_deadline = "citizen_deadline"
    """The citizen's deadline passed without a reply, counted from receipt."""
    return_decision = "return_decision"
    """A unit's return waited past the centre's limit for a dispatcher's decision."""


SLIP_KIND = {
    SlipTrigger.acceptance: SlipKind.reminder,
    SlipTrigger.reminder_point: SlipKind.reminder,
    SlipTrigger.deadline: SlipKind.supervision,
    SlipTrigger.warning_grace: SlipKind.warning,
    SlipTrigger.dispatch: SlipKind.reminder,
    SlipTrigger.citizen_deadline: SlipKind.supervision,
    SlipTrigger.return_decision: SlipKind.reminder,
}
SLIP_REASON = {
    SlipTrigger.acceptance: "not accepted within the acceptance limit",
    SlipTrigger.reminder_point: "the reminder point of the handling limit passed without a reply",
    SlipTrigger.deadline: "the handling deadline passed without a reply; the case is overdue",
    SlipTrigger.warning_grace: "the warning grace after the deadline passed without a reply",
    SlipTrigger.dispatch: "not dispatched within the centre's limit",
    SlipTrigger.citizen_deadline: "the citizen's deadline, counted from receipt, passed without a reply",
    SlipTrigger.return_decision: "a unit's return was not decided within the centre's limit",
}
CENTRE = "centre"
"""Who a slip goes to while the case is with no unit: the centre's supervisors."""


class Actor(BaseModel):
    """Who acts: a role, the unit for unit keys, the API key id (never the key itself), and the
    person signed in to the console (their login), if a person acted."""

    role: Role
    unit: str | None = None
    key_id: str | None = None
    person: str | None = None


SYSTEM = Actor(role=Role.system)


class AttachmentRef(BaseModel):
    """A file a reply or a response brings (domain.attachments): its id and the SHA-256 of the
    stored bytes, so that the case's hash-chained timeline vouches for the very file."""

    id: str
    sha256: str


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
    kind: RequestKind | None = None
    """None on requests taken in before kinds existed."""
    anonymous: bool = False
    """No name and no phone: handled like any other, never called back."""


class Visit(BaseModel):
    """One citizen's callback visit in the current round: the attempt handed to the gateway last,
    and whether its answer is still out."""

    attempt: int = 0
    awaiting: bool = False


class VisitAnswer(BaseModel):
    """A citizen's two answers to a callback visit, as a gateway that knows them at once reports them."""

    answer: CallbackAnswer
    resolution: Resolution | None = None


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


class Extension(BaseModel):
    until: datetime
    reason: str
    status: Literal["requested", "approved", "refused"] = "requested"


class ReturnRequest(BaseModel):
    """A unit's return (退办) waiting for a dispatcher (退办审核); the unit's clock runs meanwhile."""

    reason: str
    actor: Actor
    requested_at: datetime
    decide_by: datetime | None = None
    """The centre's limit to decide (the tier's dispatch limit, from the request)."""
    status: Literal["requested", "approved", "refused", "withdrawn"] = "requested"


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
