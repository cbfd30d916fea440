"""The monthly assessment (月度考核), accountability (问责) and its notices, the analysis of whole
classes of problems (分析研判) and its charts; a leader's re-run of a month."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError

from api.context import AppContext, Context, Principal, answers, field_errors, in_order, own_unit, require
from api.schemas.common import In, RowId, Text
from domain.accountability import AccountabilityAction, BottomEntry, Step
from domain.analysis import Analysis, AnalysisInput, analyse
from domain.assessment import (
    GroupSummary,
    MonthlyAssessment,
    MonthlyAssessmentInput,
    Reason,
    UnitAssessment,
    month_after,
    month_before,
    month_bounds,
    month_count,
    month_minus,
    months_between,
)
from domain.calendar import SUPPORTED_YEARS
from domain.case import Role
from domain.reference import UnitKind
from persistence import assessment
from reports import charts
from workflows.assessment import MonthlyAssessmentWorkflow, month_workflow_id

router = APIRouter(prefix="/v1", tags=["assessment"])
log = structlog.get_logger(__name__)
Leadership = Annotated[Principal, require(Role.leader, Role.auditor)]
Leader = Annotated[Principal, require(Role.leader)]
Accountable = Annotated[Principal, require(Role.leader, Role.auditor, Role.unit)]
"""City leadership and auditors see every action; a unit key its own unit's actions and notices."""
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MAX_ANALYSIS_MONTHS = 36
CHARTS = {
    "domain-share": charts.domain_share_chart,
    "domain-satisfaction": charts.domain_satisfaction_chart,
    "domain-on-time": charts.domain_on_time_chart,
    "dissatisfaction": charts.dissatisfaction_chart,
    "rising": charts.rising_chart,
}


class AssessmentOut(BaseModel):
    month: str
    assessed_at: datetime
    groups: tuple[GroupSummary, ...]
    units: tuple[UnitAssessment, ...] = Field(
        description="towns then departments, each best first; a unit with no cases is not assessed (score null)"
    )


class NoticeLinks(BaseModel):
    markdown: str
    pdf: str


class NoticeVersionOut(BaseModel):
    revision: int
    status: str = Field(description="issued; corrected (更正, after a re-run); withdrawn (撤销)")
    issued_on: date
    markdown: str
    pdf: str


def _links(key: str, revision: int | None = None) -> NoticeLinks:
    query = "" if revision is None else f"?revision={revision}"
    return NoticeLinks(markdown=f"/v1/notices/{key}.md{query}", pdf=f"/v1/notices/{key}.pdf{query}")


def _versions(rows: list[Any]) -> list[NoticeVersionOut]:
    return [
        NoticeVersionOut(
            revision=r.revision, status=r.status, issued_on=r.issued_on, **_links(r.key, r.revision).model_dump()
        )
        for r in rows
    ]


class ActionOut(BaseModel):
    key: str
    step: Step
    unit: str
    name: str
    kind: UnitKind
    streak: int = Field(description="consecutive months in the bottom of its kind, this one included")
    score: str | None
    rank: int | None
    reasons: tuple[Reason, ...]
    evidence: tuple[BottomEntry, ...] = Field(description="the streak's months, oldest first")
    revision: int = Field(description="the version last circulated; its notice is the latest version")
    notice: NoticeLinks
    versions: list[NoticeVersionOut] = Field(description="every version of the notice circulated, oldest first")
    created_at: datetime
    updated_at: datetime


class WithdrawnOut(BaseModel):
    key: str
    unit: str
    step: str
    withdrawn_at: datetime
    revision: int
    notice: NoticeLinks = Field(description="the 撤销 (withdrawal) notice, its last version")
    versions: list[NoticeVersionOut]


class AccountabilityOut(BaseModel):
    month: str
    actions: list[ActionOut]
    withdrawn: list[WithdrawnOut] = Field(description="actions a re-run after a data correction no longer found")


class RerunIn(In):
    reason: Text = Field(max_length=2000, description="the data correction that calls for it")


class RerunOut(BaseModel):
    rerun_id: int
    month: str
    reason: str
    requested_at: datetime
    workflow_id: str
    changes: dict[str, Any] = Field(
        default_factory=dict, description="by month assessed again: the units whose score, rank or actions changed"
    )


def _month(context: AppContext, value: str | None, field: str, location: str = "query") -> str:
    if value is None:
        return month_before(datetime.now(context.settings.timing.zone).strftime("%Y-%m"))
    if not MONTH.match(value):
        raise field_errors({field: f"{value!r} is not a month: write YYYY-MM, e.g. 2026-11"}, location)
    if int(value[:4]) not in SUPPORTED_YEARS:
        first, last = SUPPORTED_YEARS[0], SUPPORTED_YEARS[-1]
        raise field_errors({field: f"{value} is outside the years {first}-{last}"}, location)
    return value


async def _failed(context: AppContext, month: str) -> str | None:
    """Why the month's last run failed, if it did (the Temporal server answering)."""
    handle = context.client.get_workflow_handle(month_workflow_id(month))
    try:
        if (await handle.describe()).status is not WorkflowExecutionStatus.FAILED:
            return None
        await handle.result(follow_runs=False)
    except WorkflowFailureError as failure:
        cause: BaseException | None = failure.cause
        while cause is not None and not isinstance(cause, ApplicationError):
            cause = cause.__cause__
        return cause.message if isinstance(cause, ApplicationError) else str(failure.cause)
    except RPCError:
        return None  # never run, or the server away: nothing more to say than "not assessed"
    return None


async def _not_assessed(context: AppContext, month: str) -> HTTPException:
    s = context.settings
    failed = await _failed(context, month)
    if failed:
        return HTTPException(
            404,
            f"{month} is not assessed: its assessment failed ({failed}); correct the data, then a leader "
            f"re-runs it (POST /v1/assessments/monthly/{month}:rerun) or the next scheduled run tries it again",
        )
    return HTTPException(
        404,
        f"{month} is not assessed yet: the monthly-assessment schedule (cron {s.assessment_schedule!r} in "
        f"{s.timezone}) assesses a month at its first run after the month ends, by default on "
        f"{month_after(month)}-01 at 01:00; a month it missed is backfilled by its next run",
    )


@router.get("/assessments/monthly", response_model=AssessmentOut, responses=answers(404))
async def monthly_assessment(
    principal: Leadership,
    context: Context,
    month: Annotated[str | None, Query(description="YYYY-MM; default: last month in the city's zone")] = None,
) -> AssessmentOut:
    """Every unit's group, indicators, score (of 14), rank within its kind and the reasons for
    each deduction and bonus, for a month."""
    month = _month(context, month, "month")
    async with context.db.session() as session:
        row = await assessment.assessment_row(session, month)
    if row is None:
        raise await _not_assessed(context, month)
    result = MonthlyAssessment.model_validate(row.result)
    return AssessmentOut(month=month, assessed_at=row.assessed_at, groups=result.groups, units=result.units)


@router.get("/accountability", response_model=AccountabilityOut, responses=answers(404))
async def accountability(
    principal: Accountable,
    context: Context,
    month: Annotated[str | None, Query(description="YYYY-MM; default: last month in the city's zone")] = None,
) -> AccountabilityOut:
    """The month's public notices, interviews and discipline referrals, each with its evidence and
    every version of its notice document. A unit key sees its own unit's."""
    month = _month(context, month, "month")
    unit = own_unit(principal, None)
    async with context.db.session() as session:
        if await assessment.assessment_row(session, month) is None:
            raise await _not_assessed(context, month)
        rows = await assessment.actions_of(session, month, withdrawn=True)
        versions = await assessment.notice_versions(session, month)
    actions, withdrawn = [], []
    for row in rows:
        if unit is not None and row.unit_code != unit:
            continue
        if row.withdrawn_at is not None:
            withdrawn.append(
                WithdrawnOut(
                    key=row.key,
                    unit=row.unit_code,
                    step=row.step,
                    withdrawn_at=row.withdrawn_at,
                    revision=row.revision,
                    notice=_links(row.key),
                    versions=_versions(versions.get(row.key, [])),
                )
            )
            continue
        a = AccountabilityAction.model_validate(row.action)
        actions.append(
            ActionOut(
                key=row.key,
                step=a.step,
                unit=a.unit,
                name=a.name,
                kind=a.kind,
                streak=a.streak,
                score=None if a.assessment.score is None else str(a.assessment.score),
                rank=a.assessment.rank,
                reasons=a.assessment.reasons,
                evidence=a.evidence,
                revision=row.revision,
                notice=_links(row.key),
                versions=_versions(versions.get(row.key, [])),
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return AccountabilityOut(month=month, actions=actions, withdrawn=withdrawn)


@router.get(
    "/notices/{name}",
    responses={200: {"content": {"text/markdown": {}, "application/pdf": {}}}, **answers(404)},
    response_class=Response,
)
async def notice_document(
    name: str,
    principal: Accountable,
    context: Context,
    revision: Annotated[RowId | None, Query(description="a version; default: the latest")] = None,
) -> Response:
    """A notice document, ``{key}.md`` (Markdown) or ``{key}.pdf``, in Chinese, ready to circulate:
    the latest version (a correction is marked 更正, a withdrawal 撤销), or ``?revision=`` an
    earlier one as it was circulated. A unit key reads its own unit's notices."""
    key, _, extension = name.rpartition(".")
    if extension not in ("md", "pdf"):
        raise HTTPException(404, f"no notice {name!r}: ask for {{key}}.md or {{key}}.pdf")
    async with context.db.session() as session:
        row = await assessment.notice(session, key, revision)
    if row is None or (principal.role is Role.unit and row.unit_code != principal.unit):
        which = f"{key!r} revision {revision}" if revision else repr(key)
        raise HTTPException(404, f"no notice {which}; GET /v1/accountability?month= lists them")
    headers = {"x-notice-revision": str(row.revision), "x-notice-status": row.status}
    if extension == "md":
        return Response(row.markdown, media_type="text/markdown; charset=utf-8", headers=headers)
    headers["content-disposition"] = f'inline; filename="{row.filename}.pdf"'
    return Response(row.pdf, media_type="application/pdf", headers=headers)


@router.post(
    "/assessments/monthly/{month}:rerun", status_code=202, response_model=RerunOut, responses=answers(404, 503)
)
async def rerun_month(month: str, body: RerunIn, principal: Leader, context: Context) -> RerunOut:
    """Assess a month again after a data correction, then every later month already assessed, in
    order (their streaks depend on it). The run is recorded with who asked, when and why, and,
    month by month as it goes, what changed. A run already going (the Schedule's, another re-run)
    is waited for, month by month: the re-run assesses each month after it."""
    month = _month(context, month, "month", "path")
    this_month = datetime.now(context.settings.timing.zone).strftime("%Y-%m")
    if month >= this_month:
        raise field_errors({"month": f"{month} is not over yet: only a past month can be assessed"}, "path")
    async with context.db.session() as session:
        if await assessment.assessment_row(session, month) is None:
            raise HTTPException(
                404,
                f"{month} was never assessed, so there is nothing to re-run: the monthly-assessment schedule "
                f"assesses it (a missed month is backfilled by its next run)",
            )
    now = datetime.now(UTC)
    row = await context.db.write(lambda s: assessment.add_rerun(s, month, body.reason, principal.key_id, now))
    rerun_id = row.id
    assert rerun_id is not None
    try:
        await context.client.start_workflow(
            MonthlyAssessmentWorkflow.run,
            MonthlyAssessmentInput(month=month, rerun_id=rerun_id),
            id=row.workflow_id,
            task_queue=context.settings.task_queue,
        )
    except RPCError as exc:
        # Not started: not recorded either, so that the log of re-runs lists only runs that ran.
        await context.db.write(lambda s: assessment.remove_rerun(s, rerun_id))
        log.warning("re-run not started", month=month, error=str(exc))
        raise HTTPException(
            503,
            f"the re-run of {month} could not be started (the workflow service answered: {exc.message}); "
            "nothing was recorded, try again shortly",
        ) from exc
    return RerunOut(
        rerun_id=row.id, month=month, reason=row.reason, requested_at=row.requested_at, workflow_id=row.workflow_id
    )


@router.get("/assessments/monthly/{month}/reruns", response_model=list[RerunOut])
async def reruns(month: str, principal: Leadership, context: Context) -> list[RerunOut]:
    """The re-runs of a month: who asked, when, why, and what each changed."""
    month = _month(context, month, "month", "path")
    async with context.db.session() as session:
        rows = await assessment.reruns_of(session, month)
    return [
        RerunOut(
            rerun_id=r.id or 0,
            month=r.month,
            reason=r.reason,
            requested_at=r.requested_at,
            workflow_id=r.workflow_id,
            changes=r.changes,
        )
        for r in rows
    ]


async def _analysis(context: AppContext, first: str | None, last: str | None) -> Analysis:
    last = _month(context, last, "to")
    first = _month(context, first, "from") if first is not None else month_minus(last, 11)
    in_order(first, last, MAX_ANALYSIS_MONTHS, month_count(first, last), "months")
    policy = context.settings.assessment_policy.analysis
    # The rising matter types compare the last month with the months before it.
    load_from = min(first, month_minus(last, policy.rising.previous_months))
    figures = []
    async with context.db.session() as session:
        for month in months_between(load_from, last):
            start, end = month_bounds(month, context.settings.timing.zone)
            figures += await assessment.matter_months(session, month, start, end)
    reference = context.reference
    names = (
        {d.code: d.name for d in reference.domains.values()}
        | {m.code: m.name for m in reference.matter_types.values()}
        | {u.code: u.name for u in reference.towns}
    )
    return analyse(
        AnalysisInput(
            first_month=first,
            last_month=last,
            policy=policy,
            basically_satisfied_weight=context.settings.indicator_policy.basically_satisfied_weight,
            names=names,
            figures=tuple(figures),
        )
    )


@router.get("/analysis/overview", response_model=Analysis)
async def analysis_overview(
    principal: Leadership,
    context: Context,
    first: Annotated[str | None, Query(alias="from", description="YYYY-MM; default: 11 months before 'to'")] = None,
    last: Annotated[str | None, Query(alias="to", description="YYYY-MM; default: last month")] = None,
) -> Analysis:
    """For a period of whole months: each domain's and matter type's share of requests,
    satisfaction and on-time rate month by month; the matter types with the most dissatisfaction;
    the towns where a matter type is rising in the last month."""
    return await _analysis(context, first, last)


@router.get(
    "/analysis/charts/{name}.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **answers(404)},
)
async def analysis_chart(
    name: str,
    principal: Leadership,
    context: Context,
    first: Annotated[str | None, Query(alias="from")] = None,
    last: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    """A chart of the analysis: domain-share, domain-satisfaction, domain-on-time (lines by month),
    dissatisfaction (the matter types with the most), rising (matter types rising in towns)."""
    if name not in CHARTS:
        raise HTTPException(404, f"no chart {name!r}; the charts are {', '.join(CHARTS)}")
    return Response(CHARTS[name](await _analysis(context, first, last)), media_type="image/svg+xml")
