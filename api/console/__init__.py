"""The console at ``/console``: server-rendered pages for the people who work the cases."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from api.console import admin, pages
from api.console.i18n import translator
from api.console.web import SignInNeeded, language, render, signed_in_or_none

PREFIX = "/console"


def add_console(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=Path(__file__).parent / "static"), name="console-static")

    @app.exception_handler(SignInNeeded)
    async def sign_in(request: Request, exc: SignInNeeded) -> Response:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)


async def error_page(request: Request, exc: HTTPException) -> Response:
    """A console page's refusal as a page of its own (403: another unit's case, a role's page),
    with the signed-in person's navigation and sign-out, as on their other pages."""
    t = translator(language(request))
    detail = str(exc.detail)
    heading = {403: t("error_403"), 404: t("error_404")}.get(exc.status_code, t("error_other"))
    message = t(detail) if detail in ("error_403_text", "csrf_refused") else detail
    if exc.status_code == 403 and detail not in ("csrf_refused",):
        message = f"{t('error_403_text')} {'' if detail == 'error_403_text' else detail}".strip()
    person = await signed_in_or_none(request)
    return render(
        request, "error.html", person, exc.status_code, status=exc.status_code, heading=heading, message=message
    )
