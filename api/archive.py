"""The auditor's calls: a closed case's workflow runs as archived and each run's history, the case
file (卷宗) with its verification, and who read the case's personal data."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Response

from api.context import Context, Principal, answers, require
from api.schemas.archive import ArchivedCaseOut, ArchivedRunOut, ReadOut, ReadsOut
from domain.case import Role
from persistence import archive, reads
from persistence.models import ArchivedRunRow, CaseRow
from services.archive import history_lookup
from services.casefile import make_case_file

router = APIRouter(prefix="/v1/cases", tags=["audit"])
Auditor = Annotated[Principal, require(Role.auditor)]
AuditorOrLeader = Annotated[Principal, require(Role.auditor, Role.leader)]


async def _runs(context: Context, case_id: str) -> list[ArchivedRunRow]:
    async with context.db.session() as session:
        runs = await archive.archived_runs(session, case_id)
    if not runs:
        raise HTTPException(
            404,
            f"case {case_id} is not archived: unknown, still open, or closed within the hour "
            f"(the case-archive schedule runs on {context.settings.archive_schedule!r})",
        )
    return runs


@router.get("/{case_id}/archive", response_model=ArchivedCaseOut, responses=answers(404))
async def archived_case(case_id: str, principal: Auditor, context: Context) -> ArchivedCaseOut:
    """A closed case's workflow runs as archived (every run, after continue-as-new), with each
    object's SHA-256: what ``minsheng replay`` replays once Temporal no longer holds the case."""
    return ArchivedCaseOut(case_id=case_id, runs=[ArchivedRunOut.of(r) for r in await _runs(context, case_id)])


@router.get(
    "/{case_id}/archive/{run_id}",
    responses={200: {"content": {"application/gzip": {}}}, **answers(404)},
    response_class=Response,
)
async def archived_run(case_id: str, run_id: str, principal: Auditor, context: Context) -> Response:
    """One run's history as archived: Temporal's history JSON, gzipped (``temporal workflow show
    --output json`` reads the same form); ``x-content-sha256`` is the hash recorded at archiving,
    checked against the stored object before it is served."""
    run = next((r for r in await _runs(context, case_id) if r.run_id == run_id), None)
    if run is None:
        raise HTTPException(404, f"case {case_id} has no archived run {run_id}; GET /v1/cases/{case_id}/archive")
    data = await context.store.get(run.key)
    return Response(
        data,
        media_type="application/gzip",
        headers={
            "x-content-sha256": run.sha256,
            "content-disposition": f'attachment; filename="{case_id}-{run.ordinal:03d}-{run_id}.json.gz"',
        },
    )


@router.get(
    "/{case_id}/case-file",
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}, **answers(404)},
    response_class=Response,
)
async def case_file(
    case_id: str,
    principal: AuditorOrLeader,
    context: Context,
    format: Literal["pdf", "html"] = "pdf",
) -> Response:
    """The case file (卷宗) for an auditor or a court: requests, classification and why, dispatches,
    deadlines and slips, summonses and ratings, replies, callbacks, merges and splits, attachments
    and the whole timeline, with the result of verifying it now (hash chain, anchors, agreement
    with the workflow history from Temporal or the archive) printed on it. The read is recorded."""
    document = await make_case_file(
        context.db,
        case_id,
        history_lookup(context.client, context.db, context.store),
        context.settings.temporal_access.data_converter,
        context.settings.timing.zone,
    )
    if document is None:
        raise HTTPException(404, f"no case {case_id}")
    await context.record_read(principal, case_id, "case_file")
    if format == "html":
        return Response(document.html, media_type="text/html; charset=utf-8")
    return Response(
        document.pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="case-file-{case_id}.pdf"'},
    )


@router.get("/{case_id}/reads", response_model=ReadsOut, responses=answers(404))
async def case_reads(case_id: str, principal: Auditor, context: Context) -> ReadsOut:
    """Who read the case's citizens' personal data through the API (谁看了什么): the key, its role,
    what was read (the case, its case file) and when, oldest first."""
    async with context.db.session() as session:
        if await session.get(CaseRow, case_id) is None:
            raise HTTPException(404, f"no case {case_id}")
        rows = await reads.reads_of_case(session, case_id)
    return ReadsOut(case_id=case_id, reads=[ReadOut.model_validate(r, from_attributes=True) for r in rows])
