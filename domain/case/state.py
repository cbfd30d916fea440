"""The live state of one case, as its workflow holds it, and the table of the actions a caller
takes on it: each action's input, its rule (``check_*``) and its transition."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.case.actions import (
    AcceptInput,
    AnswerInput,
    CallbackInput,
    DispatchInput,
    ExtensionDecisionInput,
    ExtensionRequestInput,
    JoinInput,
    RateInput,
    ReplyInput,
    ReturnDecisionInput,
    ReturnInput,
    RuleDeclineInput,
    TierChangeInput,
)
from domain.case.handling import Handling
from domain.case.merging import Merging
from domain.case.model import CaseRequestRef, TimelineEvent
from domain.case.supervision import Supervision
from domain.case.visits import Visits
from domain.case.whistles import Whistles


class CaseState(Handling, Supervision, Whistles, Visits, Merging):
    """Every field is in ``CaseRecord``; each part adds the rules and transitions of one concern."""


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
    for_information: bool = False
    """The request's kind goes to its unit for information only (``KindPolicy.for_information``)."""
    answer: AnswerInput | None = None
    """The operator answered the request on the call: the case is answered in its first step."""


@dataclass(frozen=True)
class Action[I: BaseModel]:
    """An action the case answers at once (a workflow update): the transition runs the check
    again, so a state that changed since the validator ran cannot slip through."""

    input: type[I]
    check: Callable[[CaseState, I], None]
    apply: Callable[[CaseState, datetime, I], TimelineEvent]


ACTIONS: Mapping[str, Action[Any]] = {
    "dispatch": Action(DispatchInput, CaseState.check_dispatch, CaseState.dispatch),
    "accept": Action(AcceptInput, CaseState.check_accept, CaseState.accept),
    "return": Action(ReturnInput, CaseState.check_return, CaseState.return_),
    "decide_return": Action(ReturnDecisionInput, CaseState.check_return_decision, CaseState.decide_return),
    "reply": Action(ReplyInput, CaseState.check_reply, CaseState.reply),
    "answer": Action(AnswerInput, CaseState.check_answer, CaseState.answer),
    "change_tier": Action(TierChangeInput, CaseState.check_tier_change, CaseState.change_tier),
    "request_extension": Action(ExtensionRequestInput, CaseState.check_extension_request, CaseState.request_extension),
    "decide_extension": Action(ExtensionDecisionInput, CaseState.check_extension_decision, CaseState.decide_extension),
    "rule_decline": Action(RuleDeclineInput, CaseState.check_rule_decline, CaseState.rule_decline),
    "rate": Action(RateInput, CaseState.check_rate, CaseState.rate),
    "callback": Action(CallbackInput, CaseState.check_callback, CaseState.callback),
    "join": Action(JoinInput, CaseState.check_join, CaseState.join),
}
"""The update's name in the workflow (and so in every recorded history) → its action."""
