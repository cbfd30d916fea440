"""The console's case actions: each form posts to the API's own action (a ``CaseAction`` row, or
an endpoint such as whistle or merge) with a principal made of the signed-in person, so the case's
rules are the API's, not a copy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_type_hints
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from pydantic import BaseModel, ValidationError
from temporalio.service import RPCError

from api import callbacks, dispatching, whistles
from api.attachments import case_takes_files, store
from api.cases import CASE_ACTIONS, perform
from api.console.web import multipart
from api.context import AppContext, Principal, roles_of
from api.idempotency import Once
from domain.attachments import Visibility, safe_filename
from domain.case import ActionRefused, Role
from gateways.cases import CaseGone


@dataclass(frozen=True)
class ConsoleAction:
    name: str
    body: type[BaseModel]
    roles: tuple[Role, ...]
    run: Callable[[AppContext, Principal, str, BaseModel], Awaitable[Any]]
    signal: bool = False
    """Sent to the case without waiting for it (whistle, respond): recorded a moment later."""


def _row(spec: Any) -> ConsoleAction:
    async def run(context: AppContext, principal: Principal, case_id: str, body: BaseModel) -> Any:
        return await perform(spec, context, principal, case_id, body)

    return ConsoleAction(spec.name, spec.body, roles_of(spec.caller), run)


def _endpoint(name: str, endpoint: Callable[..., Awaitable[Any]], signal: bool = False) -> ConsoleAction:
    """An endpoint of the shape ``(case_id, body, principal, context, once)``: its body and roles
    are read from its annotations."""
    hints = get_type_hints(endpoint, include_extras=True)

    async def run(context: AppContext, principal: Principal, case_id: str, body: BaseModel) -> Any:
        return await endpoint(case_id, body, principal, context, Once(None, f"/console/{name}"))

    return ConsoleAction(name, hints["body"], roles_of(hints["principal"]), run, signal)


ACTIONS = {
    a.name: a
    for a in (
        *(_row(spec) for spec in (*CASE_ACTIONS, *whistles.WHISTLE_ACTIONS)),
        _endpoint("whistle", whistles.whistle, signal=True),
        _endpoint("respond", whistles.respond, signal=True),
        _endpoint("split", dispatching.split),
        _endpoint("merge", dispatching.merge),
    )
}
_callback = get_type_hints(callbacks.answer_callback, include_extras=True)
CALLBACK_ROLES = roles_of(_callback["principal"])


def offered(role: Role) -> set[str]:
    """The actions a person of ``role`` may take (the case then says whether it may now)."""
    return {name for name, a in ACTIONS.items() if role in a.roles}


def takes_files(action: ConsoleAction) -> bool:
    """Whether the action names files (a reply, a response): its form sends them."""
    return "attachments" in action.body.model_fields


async def files_of(
    request: Request, context: AppContext, principal: Principal, case_id: str, form: dict[str, str]
) -> list[str]:
    """The files a form sends (``files``, seen by ``visibility``), each stored as the API's upload
    stores it (sniffed, checked, a picture without its metadata); their ids. A refused file is an
    HTTPException naming it."""
    seen = form.pop("visibility", Visibility.case.value)
    try:
        visibility = Visibility(seen)
    except ValueError:
        raise HTTPException(422, f"visibility: {seen!r} is not one of {', '.join(Visibility)}") from None
    if not multipart(request):
        return []
    ids = []
    for sent in (await request.form()).getlist("files"):
        if isinstance(sent, str) or not sent.filename:  # a file field left empty
            continue
        await case_takes_files(context, principal, case_id)
        try:
            row, _ = await store(context, principal, case_id, await sent.read(), sent.filename, visibility)
        except HTTPException as exc:
            raise HTTPException(exc.status_code, f"{safe_filename(sent.filename, '?')}: {refusal(exc)}") from None
        ids.append(row.id)
    return ids


def body_of(action: ConsoleAction, form: dict[str, str], zone: ZoneInfo, files: Sequence[str] = ()) -> BaseModel:
    """The action's body from a form: empty fields left out (their defaults apply), a local time
    (``datetime-local``) read in the city's zone, one summons's fields as the whistle's list, the
    files it sent (stored first) by their ids."""
    fields: dict[str, Any] = {k: v for k, v in form.items() if k != "csrf" and v != ""}
    if files:
        fields["attachments"] = list(files)
    if "until" in fields:
        at = datetime.fromisoformat(fields["until"])
        fields["until"] = (at if at.tzinfo else at.replace(tzinfo=zone)).isoformat()
    if action.name == "whistle":
        fields = {"summonses": [{k: fields.pop(k) for k in ("unit", "task", "reason") if k in fields}]}
    return action.body.model_validate(fields)


def refusal(exc: Exception) -> str | None:
    """What to tell the person when the action was refused, or None if it is not a refusal the
    case page shows (a 403 or 404 gets its own page)."""
    match exc:
        case ActionRefused():
            return exc.message
        case CaseGone():
            return exc.message
        case RPCError():
            return f"the case engine did not answer ({exc.status.name}); try again"
        case ValidationError():
            return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        case HTTPException() if exc.status_code in (409, 413, 415, 422):
            detail = exc.detail
            if isinstance(detail, list):
                return "; ".join(
                    f"{where}: {e['msg']}" if (where := ".".join(str(p) for p in e["loc"][1:])) else e["msg"]
                    for e in detail
                )
            return str(detail)
    return None
