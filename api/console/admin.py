"""The admin's pages: the console's people, adding one, disabling and enabling."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from api.console.web import Posted, SignedInPerson, may, render
from api.context import get_context
from domain.accounts import ConsoleRole
from persistence import users
from services import accounts
from services.accounts import AccountError

router = APIRouter(prefix="/console/admin", include_in_schema=False)


@router.get("/users")
async def user_list(request: Request, person: SignedInPerson) -> Response:
    may(person, ConsoleRole.admin)
    async with get_context(request).db.session() as session:
        rows = await users.list_users(session)
    return render(
        request,
        "users.html",
        person,
        rows=rows,
        roles=list(ConsoleRole),
    )


@router.post("/users")
async def add(request: Request, posted: Posted) -> Response:
    person, form = posted
    may(person, ConsoleRole.admin)
    context = get_context(request)
    try:
        await accounts.add_user(
            context.db,
            context.reference,
            form.get("login", "").strip(),
            form.get("name", "").strip(),
            form.get("role", ""),
            form.get("unit") or None,
            form.get("password", ""),
        )
    except AccountError as exc:
        return RedirectResponse(f"/console/admin/users?error={exc}", status_code=303)
    return RedirectResponse("/console/admin/users?done=user_added", status_code=303)


@router.post("/users/{login}/{change}")
async def set_active(request: Request, login: str, change: str, posted: Posted) -> Response:
    person, _ = posted
    may(person, ConsoleRole.admin)
    try:
        await accounts.set_active(get_context(request).db, login, change == "enable")
    except AccountError as exc:
        return RedirectResponse(f"/console/admin/users?error={exc}", status_code=303)
    return RedirectResponse("/console/admin/users?done=done", status_code=303)
