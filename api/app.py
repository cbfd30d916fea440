"""The FastAPI application."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.service import RPCError

from api import (
    archive,
    assessments,
    attachments,
    callbacks,
    cases,
    codec,
    dispatching,
    events,
    follow_ups,
    inaction,
    intake,
    knowledge,
    lookup,
    open311,
    rankings,
    rates,
    reference,
    supervision,
    texts,
    whistles,
)
from api.codec import CodecKeyInPath
from api.console import PREFIX as CONSOLE
from api.console import add_console, error_page
from api.context import REFUSAL_STATUS, AppContext, answers
from domain.case import ActionRefused
from gateways.cases import CaseGone
from minsheng.settings import Settings
from minsheng.temporal import connect
from persistence import intake as intake_rows
from persistence.cases import count_provisional_open
from persistence.db import Database

log = structlog.get_logger(__name__)


class RequestContext:
    """Binds a request id to every log line of the request and returns it as ``x-request-id``;
    logs refusals. Plain ASGI: Starlette's ``BaseHTTPMiddleware`` runs the endpoint in a task of
    its own behind a stream, which cost intake a tenth of the API's CPU (py-spy)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        request_id = Headers(scope=scope).get("x-request-id") or uuid.uuid4().hex[:16]
        structlog.contextvars.bind_contextvars(http_request_id=request_id)
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("x-request-id", request_id)
                if message["status"] >= 400:
                    log.info(
                        "request refused",
                        method=scope["method"],
                        path=scope["path"],
                        status=message["status"],
                        ms=round((time.perf_counter() - started) * 1000, 1),
                    )
            await send(message)

        await self.app(scope, receive, send_with_id)


def _writable(value: Any) -> Any:
    """A value JSON can carry: a non-finite number, or text holding half a surrogate pair, as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode()
    if isinstance(value, list):
        return [_writable(v) for v in value]
    if isinstance(value, dict):
        return {k: _writable(v) for k, v in value.items()}
    return value


def create_app(settings: Settings, context: AppContext | None = None) -> FastAPI:
    """The app; with no ``context`` it connects to the database and Temporal at start-up."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if context is not None:
            app.state.context = context
            yield
            return
        db = Database(settings.database_url, settings.db_pool_size)
        client = await connect(settings.temporal_address, settings.temporal_namespace, settings.temporal_access)
        app.state.context = AppContext(settings, db, client, settings.reference)
        # The matcher's model (and its libraries) load now, not in the first request's intake.
        await asyncio.to_thread(lambda: settings.text_model)
        log.info("api started", database=db.engine.dialect.name, temporal=settings.temporal_address)
        try:
            yield
        finally:
            await db.close()

    app = FastAPI(
        title="Minsheng",
        summary="Citizen-request case pipeline: intake, dispatch, handling, callback, closure.",
        version="0.1.0",
        lifespan=lifespan,
        # Any body, sent with its length or in chunks, is cut off (413) past the largest a call may
        # send, before it is read into memory or spooled to disk.
        max_body_size=settings.attachment_policy.largest_body,
    )
    for module in (
        intake,
        archive,
        codec,
        cases,
        supervision,
        whistles,
        callbacks,
        rankings,
        dispatching,
        assessments,
        follow_ups,
        inaction,
        knowledge,
        rates,
        events,
        texts,
        attachments,
        reference,
    ):
        # Every route of these needs a key of a role it admits.
        app.include_router(module.router, responses=answers(401, 403))

    add_console(app)  # its own sessions and pages (docs/console.md)
    app.include_router(lookup.router)  # no key: the citizen's own look-up
    app.include_router(open311.router)  # its own keys (api_key) and errors
    app.add_middleware(RequestContext)
    # The Temporal Web UI calls the codec endpoints from the browser, from its own origin.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.codec_cors_origins,
        allow_methods=["POST"],
        allow_headers=["authorization", "content-type", "x-namespace"],
        allow_credentials=True,
    )
    app.add_middleware(CodecKeyInPath)

    @app.exception_handler(open311.Open311Error)
    async def open311_error(request: Request, exc: open311.Open311Error) -> Response:
        return open311.error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith(open311.router.prefix):  # the spec's error shape
            first = exc.errors()[0]
            problem = open311.Open311Error(400, f"{first['loc'][-1]}: {first['msg']}")
            return open311.error_response(request, problem)
        if request.url.path.startswith(CONSOLE):
            first = exc.errors()[0]
            return await error_page(request, HTTPException(422, f"{first['loc'][-1]}: {first['msg']}"))
        # FastAPI's own answer, except that the caller's input each error repeats is made writable.
        return JSONResponse({"detail": _writable(jsonable_encoder(exc.errors()))}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Any:
        # FastAPI answers a body that is not UTF-8 with a bare 400; it is malformed JSON like any
        # other, so it gets the same 422 naming the body.
        if isinstance(exc.__cause__, UnicodeDecodeError):
            error = {"type": "json_invalid", "loc": ["body"], "msg": "the body is not UTF-8 JSON", "input": {}}
            return JSONResponse({"detail": [error]}, status_code=422)
        if request.url.path.startswith(CONSOLE):
            return await error_page(request, exc)
        return await http_exception_handler(request, exc)

    @app.exception_handler(ActionRefused)
    async def refused(request: Request, exc: ActionRefused) -> JSONResponse:
        # The case's own rule said no: the caller reads why and may act on it.
        return JSONResponse({"detail": exc.message}, status_code=REFUSAL_STATUS[exc.kind])

    @app.exception_handler(CaseGone)
    async def gone(request: Request, exc: CaseGone) -> JSONResponse:
        ctx: AppContext = request.app.state.context
        async with ctx.db.session() as session:
            starting = await intake_rows.awaiting_start(session, exc.case_id)
        if starting:
            message = (
                f"case {exc.case_id} is starting: it was taken in while the case engine was down, and "
                "is started as soon as the engine answers; try again in a minute"
            )
            return JSONResponse({"detail": message}, status_code=409, headers={"Retry-After": "60"})
        return JSONResponse({"detail": exc.message}, status_code=409)

    @app.exception_handler(RPCError)
    async def temporal_unavailable(request: Request, exc: RPCError) -> JSONResponse:
        # Nothing was half-written: intake commits before it starts, and a retry resumes it.
        log.warning("temporal call failed", path=request.url.path, status=str(exc.status), error=str(exc))
        return JSONResponse(
            {"detail": f"the case engine did not answer ({exc.status.name}); retry the same call"},
            status_code=503,
        )

    @app.get("/healthz", tags=["health"], responses={503: {"description": "the database or Temporal did not answer"}})
    async def health(request: Request) -> JSONResponse:
        """Liveness and readiness: the database and Temporal both answer. No key needed."""
        ctx: AppContext = request.app.state.context
        checks: dict[str, str] = {}
        try:
            async with ctx.db.session() as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001  (health reports any failure)
            checks["database"] = f"error: {exc}"
        try:
            # Retried within 2 s (under the supervisor's 5 s wait): one probe cancelled under load does not
            # make the API unready.
            await ctx.client.service_client.check_health(retry=True, timeout=timedelta(seconds=2))
            checks["temporal"] = "ok"
        except Exception as exc:  # noqa: BLE001  (health reports any failure)
            checks["temporal"] = f"error: {exc}"
        ok = all(v == "ok" for v in checks.values())
        calendar = await _calendar_health(ctx)
        return JSONResponse(
            {"status": "ok" if ok else "degraded", **checks, "calendar": calendar, "handoffs": await _handoffs(ctx)},
            status_code=200 if ok else 503,
        )

    async def _handoffs(ctx: AppContext) -> dict[str, object]:
        """Requests kept but not yet given to their case's workflow (the reconciler's work)."""
        try:
            async with ctx.db.session() as session:
                pending, oldest = await intake_rows.pending_handoffs(session)
        except Exception:  # noqa: BLE001  (the database check above reports it)
            return {"pending": None}
        return {"pending": pending, "oldest": oldest.isoformat() if oldest else None}

    async def _calendar_health(ctx: AppContext) -> dict[str, object]:
        """Which years the calendar has, which it lacks, and how many open cases wait on them."""
        timing = ctx.settings.timing
        this_year = datetime.now(timing.zone).year
        missing = [y for y in (this_year, this_year + 1) if y not in timing.calendar.years]
        try:
            async with ctx.db.session() as session:
                provisional = await count_provisional_open(session)
        except Exception:  # noqa: BLE001  (the database check above reports it)
            provisional = None
        return {
            "years": sorted(timing.calendar.years),
            "missing_years": missing,
            "open_cases_with_provisional_deadlines": provisional,
        }

    return app
