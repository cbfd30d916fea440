"""The archive's activities: which closed cases are not archived yet, archiving a page of them
(every run of each case's workflow, from Temporal to the object store), sealing the day's anchor of
the chains' heads, and erasing what must not be kept: the citizens' personal data and files past
the retention period, the uploads no request named."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

import structlog
from pydantic import BaseModel
from sqlmodel import Session
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from domain.deadlines import Timing
from gateways.storage import ObjectStore
from minsheng.temporal import case_workflow_id
from persistence import archive, audit, reads
from persistence.db import Database
from services.archive import pack, run_key, temporal_runs
from services.attachments import erase_request_files, remove_unclaimed, take_unclaimed

log = structlog.get_logger(__name__)


class ToArchiveInput(BaseModel):
    after: str = ""
    """The last case id of the page before (pages go by case id)."""
    limit: int


class ArchiveCasesInput(BaseModel):
    case_ids: list[str]


class CasesArchived(BaseModel):
    archived: list[str] = []
    running: list[str] = []
    """Closed, but their workflow still takes late joiners: archived by a later run."""
    missing: list[str] = []
    """No history in Temporal (deleted, or past retention before an archive): nothing to export."""


class SealInput(BaseModel):
    scheduled_at: datetime


class EraseInput(BaseModel):
    scheduled_at: datetime


ERASE_BATCH = 500
FILES_BATCH = 100
"""Files deleted between heartbeats (two store calls each, with a thumbnail)."""


class ArchiveInput(BaseModel):
    """The archive workflow's input: where a continued run resumes, and the page size."""

    after: str = ""
    page: int = 100


class ArchiveDone(BaseModel):
    sealed: date | None = None
    archived: int = 0
    running: int = 0
    missing: int = 0
    erased: int = 0


class AuditActivities:
    def __init__(
        self,
        db: Database,
        client: Client,
        store: ObjectStore,
        timing: Timing,
        retention_days: int | None = None,
        unclaimed_hours: int = 24,
    ) -> None:
        self.db, self.client, self.store, self.timing = db, client, store, timing
        self.retention_days, self.unclaimed_hours = retention_days, unclaimed_hours

    @activity.defn(name="cases_to_archive")
    async def cases_to_archive(self, inp: ToArchiveInput) -> list[str]:
        async with self.db.session() as session:
            return await archive.unarchived_closed_cases(session, inp.after, inp.limit)

    @activity.defn(name="archive_cases")
    async def archive_cases(self, inp: ArchiveCasesInput) -> CasesArchived:
        done = CasesArchived()
        for case_id in inp.case_ids:
            activity.heartbeat(case_id)
            outcome = await self._archive_case(case_id)
            getattr(done, outcome).append(case_id)
        log.info("cases archived", archived=len(done.archived), running=len(done.running), missing=len(done.missing))
        return done

    async def _archive_case(self, case_id: str) -> str:
        workflow_id = case_workflow_id(case_id)
        try:
            if (
                await self.client.get_workflow_handle(workflow_id).describe()
            ).status == WorkflowExecutionStatus.RUNNING:
                return "running"
            runs = await temporal_runs(self.client, workflow_id)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            log.warning("closed case has no history in Temporal to archive", case_id=case_id)
            return "missing"
        stored = []
        for ordinal, run in enumerate(runs, start=1):
            obj = await self.store.put(run_key(case_id, ordinal, run.run_id), pack(run.history))
            closed_at = run.closed_at or run.started_at
            stored.append(
                archive.ArchivedRun(
                    run.run_id,
                    ordinal,
                    obj.key,
                    obj.sha256,
                    obj.size,
                    len(run.history.events),
                    run.started_at,
                    closed_at,
                )
            )
        now = datetime.now(UTC)
        await self.db.write(lambda session: archive.record_archived(session, case_id, stored, now))
        return "archived"

    @activity.defn(name="seal_anchor")
    async def seal_anchor(self, inp: SealInput) -> date | None:
        """Chain what waited for a predecessor, then seal the day before ``scheduled_at`` (in the
        city's zone); None if it is sealed already."""
        day = inp.scheduled_at.astimezone(self.timing.zone).date() - timedelta(days=1)
        now = datetime.now(UTC)

        def seal(session: Session) -> date | None:
            audit.chain_pending(session)
            row = audit.seal_anchor(session, day, now)
            return row.day if row else None

        sealed = await self.db.write(seal)
        if sealed:
            log.info("chain heads sealed", day=sealed.isoformat())
        return sealed

    @activity.defn(name="erase_personal_data")
    async def erase_personal_data(self, inp: EraseInput) -> int:
        """Erase the citizens' names, phones and addresses of the cases closed more than the
        retention period before ``scheduled_at`` (none when no period is set), then delete the files
        sent with those cases' requests, and the uploads no request named within
        ``unclaimed_hours``; answer how many cases were erased. The files are chosen by what the
        database says, so a run after a crash deletes what an earlier one left."""
        now, erased = datetime.now(UTC), 0
        if self.retention_days is not None:
            before = inp.scheduled_at - timedelta(days=self.retention_days)

            async def cases() -> int:
                return len(await self.db.write(lambda s: reads.erase_personal_data(s, before, now, ERASE_BATCH)))

            if erased := await _in_batches(cases):
                log.info("personal data erased from closed cases", cases=erased, closed_before=before.isoformat())
        if files := await _in_batches(lambda: erase_request_files(self.db, self.store, now, FILES_BATCH)):
            log.info("citizens' files of erased cases deleted", files=files)
        await take_unclaimed(self.db, inp.scheduled_at - timedelta(hours=self.unclaimed_hours), now)
        if unclaimed := await _in_batches(lambda: remove_unclaimed(self.db, self.store, FILES_BATCH)):
            log.info("uploads no request named deleted", files=unclaimed, hours=self.unclaimed_hours)
        return erased


async def _in_batches(batch: Callable[[], Awaitable[int]]) -> int:
    """Run ``batch`` until it does nothing, heartbeating the running total; answer the total."""
    total = 0
    while done := await batch():
        total += done
        activity.heartbeat(total)
    return total
