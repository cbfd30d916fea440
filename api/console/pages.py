"""The console's pages, one set per role: the dispatcher's queue, a unit's inbox, the callback
agents' visits, the leaders' figures, the auditor's search; the case page; signing in and out."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from api import archive, assessments, attachments, callbacks, dispatching, events, rankings, rates
from api.cases import case_view
from api.console.actions import ACTIONS, CALLBACK_ROLES, body_of, files_of, offered, refusal, takes_files
from api.console.web import (
    HOME,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Listener,
    Posted,
    SignedInPerson,
    check_csrf,
    form_of,
    may,
    render,
    secure,
)
from api.context import AppContext, get_context
from api.idempotency import Once
from api.schemas.callbacks import CallbackIn
from api.schemas.common import Day, RowId
from domain.accounts import ConsoleRole
from domain.attachments import Visibility
from domain.case import CallbackAnswer, Resolution
from domain.events import UNIT_KINDS
from domain.indicators import Period, Scope, period_bounds
from domain.reference import Tier
from persistence import console, supervision, users
from persistence.console import Basis, CaseQuery
from persistence.supervision import SlipFilter
from services import accounts
from services.archive import history_lookup
from services.audit import verify

router = APIRouter(prefix="/console", include_in_schema=False)
R = ConsoleRole
SOON = timedelta(hours=24)
"""A unit's case is due soon when its deadline is this near."""
PAGE = 50


def _context(request: Request) -> AppContext:
    return get_context(request)


def _back(url: str, **flash: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?{urlencode(flash)}" if flash else url, status_code=303)


# Signing in and out


@router.get("")
async def home(person: SignedInPerson) -> RedirectResponse:
    return RedirectResponse(HOME[person.role], status_code=303)


@router.get("/login")
async def login_page(request: Request, failed: bool = False, over: bool = False) -> Response:
    csrf = secrets.token_urlsafe(24)
    response = render(request, "login.html", None, csrf=csrf, failed=failed, over=over)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure(request), path="/console"
    )
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await form_of(request)
    check_csrf(request.cookies.get(LOGIN_CSRF_COOKIE, ""), request, form)
    context = _context(request)
    policy = context.settings.sign_in_policy
    signed = await accounts.sign_in(context.db, form.get("login", "").strip(), form.get("password", ""), policy)
    if signed is None:
        return _back("/console/login", failed="1")
    response = _back(HOME[R(signed.user.role)])
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/console",
        max_age=int(policy.idle.total_seconds()) + 3600,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout")
async def logout(request: Request, posted: Posted) -> Response:
    person, _ = posted
    await accounts.sign_out(_context(request).db, person.session.token)
    response = _back("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


# The dispatcher


@router.get("/queue")
async def queue(request: Request, person: SignedInPerson, offset: Annotated[int, Query(ge=0)] = 0) -> Response:
    may(person, R.dispatcher)
    page = await dispatching.dispatch_queue(person.principal, _context(request), limit=PAGE, offset=offset)
    return render(request, "queue.html", person, page=page, offset=offset, page_size=PAGE)


# A unit's staff


@router.get("/inbox")
async def inbox(request: Request, person: SignedInPerson, fragment: bool = False) -> Response:
    may(person, R.unit)
    context = _context(request)
    async with context.db.session() as session:
        box = await console.unit_inbox(session, str(person.unit), datetime.now(UTC), SOON, PAGE * 2)
    template = "inbox_lists.html" if fragment else "inbox.html"
    return render(request, template, person, box=box, kinds=" ".join(UNIT_KINDS))


@router.get("/events")
async def live(
    request: Request,
    person: Listener,
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0)] = None,
) -> StreamingResponse:
    """The API's live stream of case events, for the signed-in person's role and unit."""
    return await events.stream(person.principal, _context(request), last_event_id, None)


# Callback agents


@router.get("/callbacks")
async def visits(request: Request, person: SignedInPerson) -> Response:
    may(person, R.callback_agent)
    page = await callbacks.list_callbacks(
        person.principal, _context(request), status="pending", unit=None, limit=PAGE, offset=0
    )
    return render(
        request, "callbacks.html", person, page=page, answers=list(CallbackAnswer), resolutions=list(Resolution)
    )


@router.post("/callbacks/{callback_id}")
async def answer_visit(request: Request, callback_id: RowId, posted: Posted) -> Response:
    person, form = posted
    if person.role.case_role not in CALLBACK_ROLES:
        raise HTTPException(403, "error_403_text")
    try:
        body = body_of_callback(form)
        await callbacks.answer_callback(
            callback_id, body, person.principal, _context(request), Once(None, request.url.path)
        )
    except Exception as exc:
        if (message := refusal(exc)) is None:
            raise
        return _back("/console/callbacks", error=message)
    return _back("/console/callbacks", done="done")


def body_of_callback(form: dict[str, str]) -> CallbackIn:
    return CallbackIn.model_validate({k: v for k, v in form.items() if k != "csrf" and v != ""})


# Leaders


CURRENT = (
    ("open_cases", "open"),
    ("overdue_unit", "overdue"),
    ("overdue_citizen", "citizen_overdue"),
    ("overdue_dispatch", "dispatch_overdue"),
)
"""The figures of cases as they stand now: label, and the case list's filter."""
SLIPS = ("reminder", "supervision", "warning")
RATES: dict[str, Basis] = {
    "response_rate": "responded",
    "resolution_rate": "closed",
    "satisfaction_rate": "closed",
    "closure_rate": "due",
    "on_time_rate": "replied",
    "citizen_on_time_rate": "replied",
    "first_contact_rate": "closed",
}
"""Each rate, and which of the period's cases it counts (as ``ranking.unit_counts`` does)."""


def _figure(
    label: str, values: dict[Period, Any], today: date, on: Basis, rate: bool = False, **more: str
) -> dict[str, Any]:
    """A figure of today and, beside it, of the month to date, each linked to the cases it counts."""

    def behind(period: Period) -> str:
        return "/console/cases?" + urlencode({"on": on, "period": period.value, "date": today.isoformat(), **more})

    return {"label": label, "rate": rate} | {p.value: {"value": values[p], "link": behind(p)} for p in Period}


@router.get("/overview")
async def overview(request: Request, person: SignedInPerson) -> Response:
    may(person, R.leader)
    context, principal = _context(request), person.principal
    zone, now = context.settings.timing.zone, datetime.now(UTC)
    today = now.astimezone(zone).date()
    bounds = {p: period_bounds(today, p, zone) for p in Period}
    async with context.db.session() as session:
        received = {
            p: await console.count_cases(session, CaseQuery(on="received", start=start, end=end), now)
            for p, (start, end) in bounds.items()
        }
        current = []
        for label, field in CURRENT:
            flag: dict[str, Any] = {field: True}
            count = await console.count_cases(session, CaseQuery(**flag), now)
            current.append({"label": label, "count": count, "link": f"/console/cases?{field}=1"})
        slips = {
            p: (await supervision.list_slips(session, SlipFilter(since=start, until=end), 1, 0))[0]
            for p, (start, end) in bounds.items()
        }
    city = {}
    for p in Period:
        found = await rates.rates(principal, context, scope=Scope.city, period=p, day=today)
        city[p] = found.items[0] if found.items else None
    breaches = await rates.target_breaches(principal, context, since=None)
    return render(
        request,
        "overview.html",
        person,
        received=_figure("received_today", received, today, "received"),
        current=current,
        slips=[
            _figure(f"slip_{kind}", {p: slips[p].get(kind, 0) for p in Period}, today, "slip", slip=kind)
            for kind in SLIPS
        ],
        rates=[
            _figure(f"rate_{rate}", {p: getattr(city[p], rate, None) for p in Period}, today, on, rate=True)
            for rate, on in RATES.items()
        ],
        breaches=breaches,
    )


@router.get("/cases")
async def case_list(
    request: Request,
    person: SignedInPerson,
    status: str | None = None,
    unit: str | None = None,
    open: bool = False,
    overdue: bool = False,
    citizen_overdue: bool = False,
    dispatch_overdue: bool = False,
    on: Basis | None = None,
    period: Period = Period.day,
    day: Annotated[Day | None, Query(alias="date", description="with on: the day, or the month to it")] = None,
    slip: Literal["reminder", "supervision", "warning"] | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """The cases behind a figure: a leader's or an auditor's list, filtered as the figure counts."""
    may(person, R.leader, R.auditor, R.dispatcher)
    context = _context(request)
    zone = context.settings.timing.zone
    start, end = period_bounds(day or datetime.now(zone).date(), period, zone)
    query = CaseQuery(
        status=status,
        open=open,
        unit=unit,
        overdue=overdue,
        citizen_overdue=citizen_overdue,
        dispatch_overdue=dispatch_overdue,
        on=on,
        start=start,
        end=end,
        slip=slip,
    )
    now = datetime.now(UTC)
    async with context.db.session() as session:
        total = await console.count_cases(session, query, now)
        rows = await console.find_cases(session, query, now, PAGE, offset)
    filters = {k: v for k, v in request.query_params.items() if k not in ("offset", "lang")}
    return render(request, "cases.html", person, rows=rows, total=total, offset=offset, filters=filters, page_size=PAGE)


@router.get("/ranking")
async def ranking(request: Request, person: SignedInPerson) -> Response:
    may(person, R.leader)
    try:
        page = await rankings.daily_ranking(
            person.principal, _context(request), day=None, kind="all", period=Period.day
        )
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        page = None
    return render(request, "ranking.html", person, page=page)


@router.get("/assessment")
async def assessment(request: Request, person: SignedInPerson, month: str | None = None) -> Response:
    may(person, R.leader)
    context, principal = _context(request), person.principal
    try:
        result = await assessments.monthly_assessment(principal, context, month=month)
        actions = await assessments.accountability(principal, context, month=month)
    except HTTPException as exc:
        if exc.status_code != 404:
            raise
        result, actions = None, None
    return render(request, "assessment.html", person, result=result, actions=actions, month=month)


@router.get("/notices/{name}")
async def notice(request: Request, name: str, person: SignedInPerson) -> Response:
    may(person, R.leader, R.auditor)
    return await assessments.notice_document(name, person.principal, _context(request), revision=None)


@router.get("/analysis")
async def analysis(request: Request, person: SignedInPerson) -> Response:
    may(person, R.leader)
    return render(request, "analysis.html", person, charts=list(assessments.CHARTS))


@router.get("/charts/{name}.svg")
async def chart(request: Request, name: str, person: SignedInPerson) -> Response:
    may(person, R.leader)
    return await assessments.analysis_chart(name, person.principal, _context(request), first=None, last=None)


# Auditors


@router.get("/audit")
async def audit(request: Request, person: SignedInPerson, case_id: str = "") -> Response:
    may(person, R.auditor)
    case_id = case_id.strip()
    if case_id:
        async with _context(request).db.session() as session:
            if await console.count_cases(session, CaseQuery(case_id=case_id), datetime.now(UTC)):
                return _back(f"/console/cases/{case_id}")
    return render(request, "audit.html", person, case_id=case_id, missing=bool(case_id))


@router.get("/cases/{case_id}/verification")
async def verification(request: Request, case_id: str, person: SignedInPerson) -> Response:
    may(person, R.auditor)
    context = _context(request)
    result = await verify(
        context.db,
        case_id=case_id,
        histories=history_lookup(context.client, context.db, context.store),
        converter=context.settings.temporal_access.data_converter,
    )
    return render(request, "verification.html", person, case_id=case_id, result=result)


@router.get("/cases/{case_id}/case-file")
async def case_file(
    request: Request, case_id: str, person: SignedInPerson, format: Literal["pdf", "html"] = "html"
) -> Response:
    may(person, R.auditor, R.leader)
    return await archive.case_file(case_id, person.principal, _context(request), format=format)


# The case page, for every role that works cases, and its actions


READERS = (R.dispatcher, R.unit, R.callback_agent, R.leader, R.auditor)
"""Who reads cases (the API's ``Reader``): a unit its own and summoned cases only."""


@router.get("/cases/{case_id}")
async def case_page(request: Request, case_id: str, person: SignedInPerson) -> Response:
    may(person, *READERS)
    context, principal = _context(request), person.principal
    case = await case_view(context, principal, case_id)
    files = await attachments.list_attachments(case_id, principal, context)
    async with context.db.session() as session:
        who = await users.names(session, {e.actor_person for e in case.timeline if e.actor_person})
    waiting: dict[str, Any] = {}
    if person.role is R.dispatcher and case.status in ("dispatched", "accepted"):
        try:
            state = await context.cases.state(case_id)
        except Exception:  # noqa: BLE001  (a case the engine no longer holds has nothing waiting)
            state = None
        if state is not None:
            if state.return_request is not None and state.return_request.status == "requested":
                waiting["return"] = state.return_request.reason
            if state.extension is not None and state.extension.status == "requested":
                waiting["extension"] = state.extension
    reference = context.reference
    return render(
        request,
        "case.html",
        person,
        case=case,
        files=files.items,
        events={e.seq: e for e in case.timeline},
        visibilities=list(Visibility),
        who=who,
        waiting=waiting,
        can=offered(principal.role),
        units=sorted(reference.units.values(), key=lambda u: (u.kind, u.code)),
        matters=sorted(reference.matter_types.values(), key=lambda m: m.code),
        tiers=list(Tier),
    )


@router.get("/cases/{case_id}/attachments/{attachment_id}")
async def attachment(request: Request, case_id: str, attachment_id: str, person: SignedInPerson) -> Response:
    """One of the case's files, as the API serves it: the same checks, the read recorded."""
    may(person, *READERS)
    return await attachments.download(case_id, attachment_id, person.principal, _context(request))  # type: ignore[no-any-return]


@router.get("/cases/{case_id}/attachments/{attachment_id}/thumbnail")
async def thumbnail(request: Request, case_id: str, attachment_id: str, person: SignedInPerson) -> Response:
    may(person, *READERS)
    return await attachments.thumbnail(case_id, attachment_id, person.principal, _context(request))  # type: ignore[no-any-return]


@router.post("/cases/{case_id}/{action}")
async def act(request: Request, case_id: str, action: str, posted: Posted) -> Response:
    person, form = posted
    spec = ACTIONS.get(action)
    if spec is None:
        raise HTTPException(404, f"no action {action!r}")
    principal = person.principal
    if principal.role not in spec.roles:
        raise HTTPException(403, "error_403_text")
    context = _context(request)
    back = form.get("back") or f"/console/cases/{case_id}"
    form.pop("back", None)
    try:
        files = await files_of(request, context, principal, case_id, form) if takes_files(spec) else []
        body = body_of(spec, form, context.settings.timing.zone, files)
        result = await spec.run(context, principal, case_id, body)
    except Exception as exc:
        if (message := refusal(exc)) is None:
            raise
        return _back(back if back.startswith("/console/") else f"/console/cases/{case_id}", error=message)
    target = back if back.startswith("/console/") else f"/console/cases/{case_id}"
    if action == "split":
        target = f"/console/cases/{result.new_case_id}"
    return _back(target, done="sent" if spec.signal else "done")
