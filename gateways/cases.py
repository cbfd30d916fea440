"""The one way to talk to a case's workflow: start it, send it a request, act on it, signal it,
read its live state. Everything else in Minsheng (intake, the API, the worker, the dispatchers'
corrections) goes through ``CaseGateway``.

The workflow is addressed by its name and its handlers' names, not by its class: the activities
it runs use this gateway too, so importing the workflow here would run the layers in a circle.
The names are the ones every recorded history holds.

A refusal comes back as ``ActionRefused`` whatever its source: the case's own rule (an update's
validator), a case whose workflow has ended (``gone``), or the check a signal is sent after.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from domain.case import ActionRefused, Actor, AnswerInput, CaseInput, CaseRequestRef, CaseState, JoinInput, Role
from domain.reference import RequestKind
from minsheng.settings import Settings
from minsheng.temporal import CASE_CHANNEL, CASE_STATUS, case_workflow_id
from persistence.models import CaseRow, RequestRow

CASE_WORKFLOW = "CaseWorkflow"
TAKE_REQUEST = "take_request"
"""The signal intake joins a request by: intake answers without waiting for a worker."""
STATUS = "status"
RECALCULATE_DEADLINES = "recalculate_deadlines"


def request_ref(request: RequestRow) -> CaseRequestRef:
    """What the workflow keeps of a request: no name, no phone."""
    return CaseRequestRef(
        request_id=request.id,
        channel=request.channel,
        content=request.content,
        address=request.address,
        grid=request.grid,
        category_hint=request.category_hint,
        received_at=request.received_at,
        actor=Actor(role=Role.intake, key_id=request.intake_key_id),
        kind=RequestKind(request.kind) if request.kind else None,
        anonymous=not request.citizen_phone,
    )


def first_answer(request: RequestRow) -> AnswerInput | None:
    """The operator's answer on the call, if the request came with one."""
    if request.first_answer is None:
        return None
    return AnswerInput(
        actor=Actor(role=Role.intake, key_id=request.intake_key_id),
        answer=request.first_answer,
        knowledge_entry=request.knowledge_entry_id,
        knowledge_version=request.knowledge_version,
    )


class CaseGone(ActionRefused):
    """The case has no workflow to take an action: it has ended, or it has not been started yet
    (taken in while the engine was down; the API tells the two apart by the read model)."""

    def __init__(self, case_id: str) -> None:
        super().__init__("conflict", f"case {case_id} is no longer open")
        self.case_id = case_id


@contextlib.asynccontextmanager
async def _open(case_id: str) -> AsyncIterator[None]:
    """A case without a workflow cannot be acted on: a conflict, not an engine error."""
    try:
        yield
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise CaseGone(case_id) from None
        raise


class CaseGateway:
    def __init__(self, client: Client, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def _handle(self, case_id: str) -> WorkflowHandle[Any, Any]:
        return self.client.get_workflow_handle(case_workflow_id(case_id))

    async def start(self, case: CaseRow, request: RequestRow) -> None:
        """Start the case's workflow with its first request; starting it again (a retried intake
        or split) is a no-op. USE_EXISTING answers a running workflow; REJECT_DUPLICATE keeps a
        closed case from starting again under the same id."""
        settings = self.settings
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await self.client.start_workflow(
                CASE_WORKFLOW,
                CaseInput(
                    case_id=case.id,
                    request=request_ref(request),
                    classify_threshold=settings.classify_threshold,
                    joins_after_close_days=settings.match_policy.closed_within_days,
                    history_limit=settings.case_history_limit,
                    for_information=request.kind in settings.kind_policy.for_information,
                    answer=first_answer(request),
                ),
                id=case_workflow_id(case.id),
                task_queue=settings.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=TypedSearchAttributes(
                    [SearchAttributePair(CASE_STATUS, case.status), SearchAttributePair(CASE_CHANNEL, case.channel)]
                ),
            )

    async def join(self, request: RequestRow) -> bool:
        """Send a merged request to its case; False when that case's workflow has ended. The case
        takes it or, if it can no longer (it closed or was merged meanwhile), opens a case of its
        own for it. Sending again (a retried intake) changes nothing."""
        try:
            await self._handle(request.case_id).signal(TAKE_REQUEST, JoinInput(request=request_ref(request)))
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            return False
        return True

    async def act(self, case_id: str, action: str, inp: BaseModel, update_id: str | None = None) -> CaseState:
        """An action the case answers at once (an update: one of ``domain.case.ACTIONS``, or a
        dispatcher's correction): the state after it, or the case's refusal with its reason. The
        same ``update_id`` again (a caller's retry) is applied once: the case answers it as before."""
        try:
            async with _open(case_id):
                handle = self._handle(case_id)
                state: CaseState = await handle.execute_update(action, inp, id=update_id, result_type=CaseState)
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            if isinstance(cause, ApplicationError) and cause.type == "forbidden":
                raise ActionRefused("forbidden", cause.message) from None
            if isinstance(cause, ApplicationError) and cause.type == "conflict":
                raise ActionRefused("conflict", cause.message) from None
            raise
        return state

    async def signal[T: BaseModel](
        self, case_id: str, action: str, inp: T, check: Callable[[CaseState, T], None]
    ) -> None:
        """Check the action against the live state (a signal cannot answer back), then send it.
        The case checks again and records a refusal if it changed in between."""
        async with _open(case_id):
            check(await self.state(case_id), inp)
            await self._handle(case_id).signal(action, inp)

    async def state(self, case_id: str) -> CaseState:
        async with _open(case_id):
            state: CaseState = await self._handle(case_id).query(STATUS, result_type=CaseState)
        return state

    async def recalculate_deadlines(self, case_id: str) -> bool:
        """Ask the case to compute its provisional deadlines again; False when it has ended."""
        try:
            await self._handle(case_id).signal(RECALCULATE_DEADLINES)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            return False
        return True
