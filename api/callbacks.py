"""The callback agents' queue (回访): the visits to make, and the citizens' answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

from api.cases import ACTION_ANSWERS, act
from api.context import CallbackAgent, Context
from api.idempotency import Idempotent
from api.schemas.callbacks import CallbackIn, CallbackPage, CallbackTaskOut
from api.schemas.cases import CaseOut
from api.schemas.common import Offset, RowId
from domain.case import CallbackInput
from persistence import callbacks as callback_tasks

router = APIRouter(prefix="/v1/callbacks", tags=["callbacks"])


@router.get("", response_model=CallbackPage)
async def list_callbacks(
    principal: CallbackAgent,
    context: Context,
    status: Literal["pending", "answered"] | None = None,
    unit: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> CallbackPage:
    """Callback tasks, the earliest due first, with the citizen's name and phone to call. Each is
    one attempt: an unreachable citizen is tried again in a later task."""
    async with context.db.session() as session:
        total, rows = await callback_tasks.list_callbacks(session, status, unit, limit, offset)
    return CallbackPage(total=total, limit=limit, offset=offset, items=[CallbackTaskOut.of_row(c, r) for c, r in rows])


@router.post("/{callback_id}", response_model=CaseOut, responses=ACTION_ANSWERS)
async def answer_callback(
    callback_id: RowId,
    body: CallbackIn,
    principal: CallbackAgent,
    context: Context,
    once: Idempotent,
) -> Any:
    """Record the citizen's two answers to this attempt: how satisfied (satisfied,
    basically_satisfied, dissatisfied, or unreachable: tried again later while attempts remain)
    and, when reached, whether it was solved (solved, partly_solved, not_solved). A dissatisfied
    or (by default) a not-solved answer reopens the case. Returns the case."""

    async def answer(update_id: str | None) -> CaseOut:
        async with context.db.session() as session:
            task = await callback_tasks.get_callback(session, callback_id)
        if task is None:
            raise HTTPException(404, f"no callback task {callback_id}")
        if task.status != "pending":
            raise HTTPException(409, f"callback task {callback_id} is already answered ({task.answer})")
        inp = CallbackInput(
            actor=principal.actor,
            request_id=task.request_id,
            answer=body.answer,
            resolution=body.resolution,
            note=body.note,
            attempt=task.attempt,
        )
        return await act(context, principal, task.case_id, "callback", inp, closed_too=True, update_id=update_id)

    return await once.answer(context, principal, body, answer)
