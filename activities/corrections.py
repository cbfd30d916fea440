"""Dispatchers' corrections of merging (一事多投): a request split out into a case of its own, a
case merged by hand into another. Run from the case workflow's updates as activities, so that once
a dispatcher's correction is accepted it completes however often the worker or engine fails."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from domain.case import JoinInput, MergeCaseInput, SplitRequestInput
from minsheng.intake import request_ref, start_case, workflow_id
from minsheng.settings import Settings
from persistence import merging
from persistence.db import Database
from workflows.case import CaseWorkflow

log = structlog.get_logger(__name__)


class CorrectionActivities:
    def __init__(self, db: Database, client: Client, settings: Settings) -> None:
        self.db = db
        self.client = client
        self.settings = settings

    @activity.defn(name="split_request")
    async def split_request(self, inp: SplitRequestInput) -> None:
        request, case = await self.db.write(lambda session: merging.split_request(session, inp, datetime.now(UTC)))
        await start_case(self.client, self.settings, case, request)
        log.info("request split out", case_id=inp.case_id, request_id=request.id, new_case_id=case.id)

    @activity.defn(name="merge_case")
    async def merge_case(self, inp: MergeCaseInput) -> None:
        """Join every request to the other case first: if that case refuses (it closed meanwhile),
        nothing has moved and the dispatcher hears why."""
        into = self.client.get_workflow_handle(workflow_id(inp.merge.into_case_id))
        rows = await self.db.write(lambda session: merging.merged_requests(session, inp.case_id, inp.request_ids))
        for row in rows:
            ref = request_ref(row).model_copy(update={"actor": inp.merge.actor})
            try:
                await into.execute_update(CaseWorkflow.join, JoinInput(request=ref))
            except WorkflowUpdateFailedError as failed:
                message = str(failed.cause)
                if "already part of" not in message:
                    raise ApplicationError(message, type="conflict", non_retryable=True) from None
        await self.db.write(lambda session: merging.merge_requests(session, inp, datetime.now(UTC)))
        log.info("case merged by hand", case_id=inp.case_id, into_case_id=inp.merge.into_case_id, requests=len(rows))
