"""What every console page needs: the signed-in person (a session cookie), CSRF checks, the
language, and rendering a template."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.console.i18n import COOKIE, DEFAULT, LANGUAGES, kind_name, status_name, translator
from api.context import AppContext, Principal, get_context
from domain.accounts import ConsoleRole
from domain.reference import ReferenceData
from domain.timeline import local_time, local_times
from services import accounts
from services.accounts import SignedIn

SESSION_COOKIE = "minsheng_session"
LOGIN_CSRF_COOKIE = "minsheng_login_csrf"
CSRF_HEADER = "x-csrf-token"
HOME = {
    ConsoleRole.dispatcher: "/console/queue",
    ConsoleRole.unit: "/console/inbox",
    ConsoleRole.callback_agent: "/console/callbacks",
    ConsoleRole.leader: "/console/overview",
    ConsoleRole.auditor: "/console/audit",
    ConsoleRole.admin: "/console/admin/users",
}
templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape(), trim_blocks=True
)


class SignInNeeded(Exception):
    """No session, or one that is over: the browser goes to the sign-in page."""


@dataclass(frozen=True)
class Person:
    """The signed-in person, and the principal they act as on cases (None for the admin)."""

    session: SignedIn
    role: ConsoleRole
    unit: str | None
    login: str
    name: str

    @property
    def principal(self) -> Principal:
        role = self.role.case_role
        if role is None:
            raise HTTPException(403, "the admin manages accounts and acts on no case")
        return Principal(key_id=f"console:{self.session.user.id}", role=role, unit=self.unit, person=self.login)


def language(request: Request) -> str:
    lang = request.query_params.get("lang") or request.cookies.get(COOKIE) or DEFAULT
    return lang if lang in LANGUAGES else DEFAULT


def secure(request: Request) -> bool:
    return request.url.scheme == "https"


async def _person(request: Request, touch: bool) -> Person:
    context: AppContext = get_context(request)
    token = request.cookies.get(SESSION_COOKIE)
    signed = token and await accounts.session_user(context.db, token, context.settings.sign_in_policy, touch)
    if not signed:
        raise SignInNeeded
    user = signed.user
    return Person(signed, ConsoleRole(user.role), user.unit_code, user.login, user.name)


async def signed_in(request: Request) -> Person:
    return await _person(request, touch=True)


async def listening(request: Request) -> Person:
    """For the live stream: it keeps no session alive, only a person's own requests do."""
    return await _person(request, touch=False)


async def signed_in_or_none(request: Request) -> Person | None:
    """The person, if a session is open: an error page shows their navigation too."""
    try:
        return await _person(request, touch=False)
    except SignInNeeded:
        return None


SignedInPerson = Annotated[Person, Depends(signed_in)]
Listener = Annotated[Person, Depends(listening)]


def multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").startswith("multipart/form-data")


async def form_of(request: Request) -> dict[str, str]:
    """The posted form's fields (urlencoded, or multipart with files: ``request.form()`` keeps
    those; the last value of a repeated field)."""
    if multipart(request):  # its size is bounded by the app's own limit (``largest_body``)
        return {k: v for k, v in (await request.form()).multi_items() if isinstance(v, str)}
    body = (await request.body()).decode("utf-8", "replace")
    return {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}


def check_csrf(expected: str, request: Request, form: dict[str, str]) -> None:
    sent = form.get("csrf") or request.headers.get(CSRF_HEADER) or ""
    if not secrets.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "csrf_refused")


async def posted(request: Request, person: SignedInPerson) -> tuple[Person, dict[str, str]]:
    """A person's form post, its CSRF token checked."""
    form = await form_of(request)
    check_csrf(person.session.csrf, request, form)
    return person, form


Posted = Annotated[tuple[Person, dict[str, str]], Depends(posted)]


def may(person: Person, *roles: ConsoleRole) -> None:
    if person.role not in roles:
        raise HTTPException(403, "error_403_text")


def names(reference: ReferenceData, lang: str) -> dict[str, dict[str, str]]:
    """Code → name in the language, of units, matter types, domains and channels."""
    english = lang == "en"

    def of(entries: Any) -> dict[str, str]:
        return {e.code: e.name_en if english else e.name for e in entries}

    return {
        "unit": of(reference.units.values()),
        "matter": of(reference.matter_types.values()),
        "domain": of(reference.domains.values()),
        "channel": of(reference.channels.values()),
    }


def detail(values: dict[str, str], zone: ZoneInfo) -> list[tuple[str, str]]:
    """A timeline event's detail as the page shows it: times on the city's clock, the files it
    took by their ids (their hashes are the case file's and the API's)."""
    return [
        (key, ", ".join(f["id"] for f in json.loads(value)) if key == "attachments" else local_times(value, zone))
        for key, value in values.items()
    ]


def file_size(size: int) -> str:
    for unit, bytes_ in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= bytes_:
            return f"{size / bytes_:.1f} {unit}"
    return f"{size} B"


def clock(due: datetime | None, now: datetime, t: Any) -> dict[str, str]:
    """The time left until ``due`` in words, and how urgent it is (a CSS class)."""
    if due is None:
        return {"text": "—", "level": "none"}
    seconds = int((due - now).total_seconds())
    minutes = abs(seconds) // 60
    days, hours, mins = minutes // 1440, minutes % 1440 // 60, minutes % 60
    amount = f"{days}{t('days')} {hours}{t('hours')}" if days else f"{hours}{t('hours')} {mins}{t('minutes')}"
    if seconds < 0:
        return {"text": f"{t('overdue_by')} {amount}", "level": "late"}
    return {"text": f"{t('left')} {amount}", "level": "soon" if seconds < 86400 else "ok"}


def render(
    request: Request, template: str, person: Person | None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    lang = language(request)
    context: AppContext = get_context(request)
    t = translator(lang)
    now = datetime.now(UTC)
    zone = context.settings.timing.zone
    page = templates.get_template(template).render(
        t=t,
        local=lambda at: local_time(at, zone),
        detail=lambda values: detail(values, zone),
        size=file_size,
        kind_name=lambda name: kind_name(name, lang),
        status_name=lambda name: status_name(name, lang),
        clock=lambda due: clock(due, now, t),
        lang=lang,
        person=person,
        home=HOME[person.role] if person else "/console",
        path=request.url.path,
        names=names(context.reference, lang),
        now=now,
        # What the action before the redirect did, or why it was refused.
        done=request.query_params.get("done"),
        error=request.query_params.get("error"),
        **values,
    )
    response = HTMLResponse(page, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=secure(request))
    return response
