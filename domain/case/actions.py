"""The actions on a case, one typed input each: who acts and what they say. The rules each must
pass are the state's ``check_*`` methods; ``domain.case.state.ACTIONS`` pairs them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.case.model import Actor, AttachmentRef, CallbackAnswer, CaseRequestRef, NonBlank, Resolution
from domain.reference import Tier


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


class ReturnDecisionInput(BaseModel):
    """A dispatcher approves a unit's return (the case goes back to the queue) or refuses it (the
    case stays with the unit, its deadline unchanged)."""

    actor: Actor
    approve: bool
    note: str = ""


class ReplyInput(BaseModel):
    actor: Actor
    result: NonBlank
    attachments: list[AttachmentRef] = []
    """The unit's proof of handling (photos, documents); empty in histories from before attachments."""


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
    attachments: list[AttachmentRef] = []


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


class CallbackInput(BaseModel):
    actor: Actor
    request_id: str
    answer: CallbackAnswer
    resolution: Resolution | None = None
    """Was it solved: asked with every answer but unreachable (None from gateways that do not ask)."""
    note: str = ""
    attempt: int | None = None
    """The attempt answered (the callback task's); an answer to an attempt no longer open is refused."""


class AnswerInput(BaseModel):
    """The centre answers the request itself, at first contact (一次性答复): a consultation from
    the policy knowledge base, or anything the centre can settle on the call. The case never
    reaches a unit."""

    actor: Actor
    answer: NonBlank
    knowledge_entry: int | None = None
    """The knowledge-base entry the answer gave (checked to exist and be valid by the API)."""
    knowledge_version: int | None = None


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
