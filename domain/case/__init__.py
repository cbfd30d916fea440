"""The case: its statuses, the actions on it, who may take them and when, and the timeline.

``CaseState`` is the live state a ``CaseWorkflow`` holds. Every action checks its rule first
(``check_*``, raising ``ActionRefused`` with a message a caller can act on) and then changes the
state and returns the ``TimelineEvent`` to record. The workflow's update validators run the same
checks, so a refused action never enters the case's history.

- ``model``: the vocabulary (statuses, roles, actors, summonses, visits, timeline events);
- ``actions``: one typed input per action;
- ``record``: the fields of a case and the checks every part shares;
- ``handling``, ``supervision``, ``whistles``, ``visits``, ``merging``: the rules and transitions
  of each concern;
- ``state``: ``CaseState``, made of those parts, and ``ACTIONS``, the table of update actions.

What the rest of Minsheng uses is imported here, so callers write ``from domain.case import ...``.
"""

from domain.case.actions import (
    AcceptInput,
    AnswerInput,
    CallbackInput,
    DispatchInput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    JoinInput,
    MergeInput,
    RateInput,
    ReplyInput,
    RespondInput,
    ReturnDecisionInput,
    ReturnInput,
    RuleDeclineInput,
    SplitInput,
    SummonsRequest,
    TierChangeInput,
    WhistleInput,
)
from domain.case.model import (
    CENTRE,
    QUEUED,
    SLIP_KIND,
    SLIP_REASON,
    SYSTEM,
    ActionRefused,
    Actor,
    AttachmentRef,
    CallbackAnswer,
    CaseRequestRef,
    CaseStatus,
    Extension,
    Resolution,
    Role,
    SlipKind,
    SlipTrigger,
    Summons,
    TimelineEvent,
    Visit,
    VisitAnswer,
)
from domain.case.state import ACTIONS, Action, CaseInput, CaseState

__all__ = [
    "ACTIONS",
    "CENTRE",
    "QUEUED",
    "SLIP_KIND",
    "SLIP_REASON",
    "SYSTEM",
    "AcceptInput",
    "Action",
    "ActionRefused",
    "Actor",
    "AnswerInput",
    "AttachmentRef",
    "CallbackAnswer",
    "CallbackInput",
    "CaseInput",
    "CaseRequestRef",
    "CaseState",
    "CaseStatus",
    "DispatchInput",
    "Extension",
    "ExtensionDecisionInput",
    "ExtensionRequestInput",
    "JoinInput",
    "MergeInput",
    "RateInput",
    "ReplyInput",
    "Resolution",
    "RespondInput",
    "ReturnDecisionInput",
    "ReturnInput",
    "Role",
    "RuleDeclineInput",
    "SlipKind",
    "SlipTrigger",
    "SplitInput",
    "Summons",
    "SummonsRequest",
    "TierChangeInput",
    "TimelineEvent",
    "Visit",
    "VisitAnswer",
    "WhistleInput",
]
