"""The archive's activities: which closed cases are not archived yet, archiving a page of them
(every run of each case's workflow, from Temporal to the object store), and sealing the day's
anchor of the chains' heads."""

from __future__ import annotations

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
        self, db: Database, client: Client, store: ObjectStore, timing: Timing, retention_days: int | None = None
    ) -> None:
        self.db, self.client, self.store, self.timing = db, client, store, timing
        self.retention_days = retention_days

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
        retention period before ``scheduled_at`` (none when no period is set); answer how many."""
        if self.retention_days is None:
            return 0
        before, now, erased = inp.scheduled_at - timedelta(days=self.retention_days), datetime.now(UTC), 0
        while batch := await self.db.write(
            lambda session: reads.erase_personal_data(session, before, now, ERASE_BATCH)
        ):
            erased += len(batch)
            activity.heartbeat(erased)
        if erased:
            log.info("personal data erased from closed cases", cases=erased, closed_before=before.isoformat())
        return erased
