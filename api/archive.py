"""The auditor's archive: a closed case's workflow runs as archived, and each run's history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Response

from api.context import Context, Principal, answers, require
from api.schemas.archive import ArchivedCaseOut, ArchivedRunOut
from domain.case import Role
from persistence import archive
from persistence.models import ArchivedRunRow

router = APIRouter(prefix="/v1/cases", tags=["audit"])
Auditor = Annotated[Principal, require(Role.auditor)]


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
