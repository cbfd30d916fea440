"""CaseArchiveWorkflow: run by the ``case-archive`` Schedule (hourly by default), well inside the
namespace's retention. It seals the day before's anchor of the chains' heads (once a day), then
exports every closed case whose workflow has ended and is not archived yet, page by page: all of
them, however many accumulated while the worker or the server was down. Last, it erases the
citizens' names, phones and addresses of the cases closed longer ago than the retention period, and
their files, and the uploads no request named (all in one activity). A case is archived once:
the database records it, and an export repeated after a crash writes the same objects."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from activities.archive import (
        ArchiveCasesInput,
        ArchiveDone,
        ArchiveInput,
        AuditActivities,
        EraseInput,
        SealInput,
        ToArchiveInput,
    )

SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=5))


@workflow.defn
class CaseArchiveWorkflow:
    @workflow.run
    async def run(self, inp: ArchiveInput) -> ArchiveDone:
        scheduled_at = workflow.info().typed_search_attributes.get(SCHEDULED_START) or workflow.now()
        done = ArchiveDone()
        done.sealed = await workflow.execute_activity_method(
            AuditActivities.seal_anchor,
            SealInput(scheduled_at=scheduled_at),
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RETRY,
        )
        after = inp.after
        while page := await workflow.execute_activity_method(
            AuditActivities.cases_to_archive,
            ToArchiveInput(after=after, limit=inp.page),
            start_to_close_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        ):
            archived = await workflow.execute_activity_method(
                AuditActivities.archive_cases,
                ArchiveCasesInput(case_ids=page),
                start_to_close_timeout=timedelta(minutes=30),
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=RETRY,
            )
            done.archived += len(archived.archived)
            done.running += len(archived.running)
            done.missing += len(archived.missing)
            after = page[-1]
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(ArchiveInput(after=after, page=inp.page))
        done.erased = await workflow.execute_activity_method(
            AuditActivities.erase_personal_data,
            EraseInput(scheduled_at=scheduled_at),
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=2),
            retry_policy=RETRY,
        )
        return done
