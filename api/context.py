"""What every request handler needs, built once per process, and the auth dependencies."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from api.schemas.common import Problem
from domain.case import Actor, Role
from domain.reference import ReferenceData
from gateways.cases import CaseGateway
from gateways.storage import ObjectStore, object_store
from minsheng.settings import Settings
from persistence import keys, reads
from persistence.db import Database

REFUSAL_STATUS = {"forbidden": 403, "conflict": 409}
"""The status of a case's refusal (``ActionRefused.kind``)."""

_ANSWERS = {
    401: "no key, or a key that is unknown or revoked",
    403: "a role or unit that may not do this; the detail names the role needed",
    404: "no such thing (case, task, unit, notice, chart), or not computed yet",
    409: "an action the case's state does not allow; the detail says why",
    410: "erased at the end of the retention period; the detail says when",
    413: "a file larger than config/attachments.yaml allows; the detail says the limit",
    415: "a file whose content is of a type not allowed; the detail names the type found",
    429: "too many calls from this address; wait the Retry-After header's seconds",
    503: "the case engine did not answer: retry the same call",
}


def answers(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a route documents in the OpenAPI document, beside FastAPI's own 422: a client
    (and the schema fuzz in tests/e2e) may rely on no other status."""
    return {s: {"model": Problem, "description": _ANSWERS[s]} for s in statuses}


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    unit: str | None
    person: str | None = None
    """The console user's login; None for an API key."""

    @property
    def actor(self) -> Actor:
        return Actor(role=self.role, unit=self.unit, key_id=self.key_id, person=self.person)


class Limiter:
    """At most ``per_minute`` calls per client address in a sliding minute, in this API process."""

    def __init__(self) -> None:
        self.seen: dict[str, deque[float]] = {}

    def check(self, client: str, per_minute: int) -> None:
        now = time.monotonic()
        times = self.seen.setdefault(client, deque())
        while times and times[0] <= now - 60:
            times.popleft()
        if len(times) >= per_minute:
            wait = int(times[0] + 60 - now) + 1
            raise HTTPException(
                429, f"too many calls from this address; try again in {wait} s", headers={"Retry-After": str(wait)}
            )
        times.append(now)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    client: Client
    reference: ReferenceData
    _keys: dict[str, tuple[float, Principal | None]] = field(default_factory=dict)
    lookups: Limiter = field(default_factory=Limiter)
    """The citizens' key-less look-ups, per client address."""

    @cached_property
    def cases(self) -> CaseGateway:
        return CaseGateway(self.client, self.settings)

    @cached_property
    def store(self) -> ObjectStore:
        return object_store(self.settings)

    async def record_read(self, principal: Principal, case_id: str | None, what: str) -> None:
        """Who read citizens' personal data: the key, the time, the case (谁看了什么)."""
        now = datetime.now(UTC)
        await self.db.write(
            lambda session: reads.record_read(session, principal.key_id, principal.role.value, case_id, what, now)
        )

    async def record_codec_read(self, principal: Principal, payloads: int) -> None:
        if payloads:
            await self.record_read(principal, None, "codec")

    async def principal(self, secret: str) -> Principal | None:
        """Look a key up, trusting the answer for ``api_key_cache_seconds``."""
        now = time.monotonic()
        cached = self._keys.get(secret)
        if cached and cached[0] > now:
            return cached[1]
        async with self.db.session() as session:
            row = await keys.find_api_key(session, secret)
        principal = Principal(row.id, Role(row.role), row.unit_code) if row else None
        self._keys[secret] = (now + self.settings.api_key_cache_seconds, principal)
        return principal


def get_context(request: Request) -> AppContext:
    return request.app.state.context  # type: ignore[no-any-return]


Context = Annotated[AppContext, Depends(get_context)]
_bearer = HTTPBearer(auto_error=False)


async def authenticate(
    context: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(
            401, "send an API key as 'Authorization: Bearer <key>'", headers={"WWW-Authenticate": "Bearer"}
        )
    principal = await context.principal(credentials.credentials)
    if principal is None:
        raise HTTPException(401, "this API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"})
    return principal


def require(*roles: Role) -> Any:
    """A dependency admitting only the given roles."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise HTTPException(403, f"this needs the role {allowed}; your key is {principal.role}")
        return principal

    dependency.roles = roles  # type: ignore[attr-defined]
    return Depends(dependency)


def roles_of(caller: Any) -> tuple[Role, ...]:
    """The roles a caller annotation (``Dispatcher``, ``UnitKey`` …) admits: the console offers an
    action to the people of these roles only."""
    return caller.__metadata__[0].dependency.roles  # type: ignore[no-any-return]


READERS = (Role.dispatcher, Role.unit, Role.callback_agent, Role.leader, Role.auditor)
Reader = Annotated[Principal, require(*READERS)]
Intake = Annotated[Principal, require(Role.intake)]
Dispatcher = Annotated[Principal, require(Role.dispatcher)]
Centre = Annotated[Principal, require(Role.intake, Role.dispatcher)]
"""The centre's own people: the operators on the call (intake keys) and the dispatchers."""
UnitKey = Annotated[Principal, require(Role.unit)]
CallbackAgent = Annotated[Principal, require(Role.callback_agent)]


def own_unit(principal: Principal, unit: str | None) -> str | None:
    """The unit filter a caller may use: a unit key is held to its own unit."""
    if principal.role is Role.unit:
        if unit not in (None, principal.unit):
            raise HTTPException(403, f"a unit key sees its own unit's records ({principal.unit}) only")
        return principal.unit
    return unit


def field_errors(problems: dict[str, str], location: str = "body") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors, naming each field (of the body, or of the
    query; a nested one as ``outer.inner``) and its reason."""
    return HTTPException(
        422, [{"loc": [location, *f.split(".")], "msg": m, "type": "value_error"} for f, m in problems.items()]
    )


def in_order[T: (str, date)](first: T, last: T, limit: int, count: int, unit: str) -> None:
    """A query's ``from`` … ``to`` range: in order, and at most ``limit`` ``unit``s long."""
    if first > last:
        raise field_errors({"from": "'from' must not be after 'to'"}, "query")
    if count > limit:
        raise field_errors({"to": f"ask for at most {limit} {unit} at a time"}, "query")
