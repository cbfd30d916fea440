"""Dispatchers' corrections of merging (一事多投): a request split out into a case of its own, a
case merged by hand into another. Run from the case workflow's updates as activities, so that once
a dispatcher's correction is accepted it completes however often the worker or engine fails."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.case import ActionRefused, JoinInput, MergeInput, SplitInput
from gateways.cases import CaseGateway, request_ref
from persistence import dispatching
from persistence.db import Database

log = structlog.get_logger(__name__)


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


class CorrectionActivities:
    def __init__(self, db: Database, cases: CaseGateway) -> None:
        self.db = db
        self.cases = cases

    @activity.defn(name="split_request")
    async def split_request(self, inp: SplitRequestInput) -> None:
        request, case = await self.db.write(
            lambda session: dispatching.split_request(session, inp.case_id, inp.split, datetime.now(UTC))
        )
        await self.cases.start(case, request)
        log.info("request split out", case_id=inp.case_id, request_id=request.id, new_case_id=case.id)

    @activity.defn(name="merge_case")
    async def merge_case(self, inp: MergeCaseInput) -> None:
        """Join the request to the other case, then move its row. If that case refuses it (it
        closed, or is being merged itself, meanwhile), the request has not moved: a conflict."""
        row = await self.db.write(lambda session: dispatching.request_on(session, inp.request_id, inp.case_id))
        if row is not None:
            ref = request_ref(row).model_copy(update={"actor": inp.merge.actor})
            try:
                await self.cases.act(inp.merge.into_case_id, "join", JoinInput(request=ref))
            except ActionRefused as refused:
                if "already part of" not in refused.message:  # else: a retry after the join
                    raise ApplicationError(refused.message, type="conflict", non_retryable=True) from None
            await self.db.write(
                lambda session: dispatching.merge_request(
                    session, inp.case_id, inp.merge, inp.request_id, datetime.now(UTC)
                )
            )
        log.info(
            "request merged by hand",
            case_id=inp.case_id,
            into_case_id=inp.merge.into_case_id,
            request_id=inp.request_id,
        )
