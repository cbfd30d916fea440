"""``Idempotency-Key`` on case actions: a retry with the same key is answered what the first call
was answered (applied, or refused), and the action is applied once. The key also names the case's
update, so a first call cut off after the case took it but before its answer was kept is still
applied once: the case answers the retry as it answered the first."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.context import REFUSAL_STATUS, AppContext, Principal, field_errors
from domain.case import ActionRefused
from persistence import idempotency


@dataclass(frozen=True)
class Once:
    """A call's ``Idempotency-Key`` (if it sent one) and its path."""

    key: str | None
    path: str

    async def answer(
        self,
        context: AppContext,
        principal: Principal,
        body: BaseModel,
        answer: Callable[[str | None], Awaitable[BaseModel]],
        status: int = 200,
    ) -> Any:
        """``answer(update_id)``, answered with ``status``; or, for a key seen before, the answer
        the first call with it got."""
        key = self.key
        if key is None:
            return await answer(None)
        asked = hashlib.sha256(f"{self.path}\n{body.model_dump_json()}".encode()).hexdigest()
        now = datetime.now(UTC)
        async with context.db.session() as session:
            stored = await idempotency.get_key(session, principal.key_id, key, now)
        if stored is not None and stored.fingerprint != asked:
            message = f"the key {key!r} was sent with another request; a new request takes a new key"
            raise field_errors({"Idempotency-Key": message}, "header")
        if stored is not None and stored.status is not None:
            return JSONResponse(stored.answer, status_code=stored.status)
        if stored is None:
            await context.db.write(lambda s: idempotency.add_key(s, principal.key_id, key, asked, now))

        async def record(status: int, answered: dict[str, Any]) -> None:
            await context.db.write(lambda s: idempotency.record_answer(s, principal.key_id, key, status, answered))

        try:
            result = await answer(f"{principal.key_id}:{key}")
        except HTTPException as exc:  # refused before the case was asked: as final as the case's own no
            await record(exc.status_code, {"detail": exc.detail})
            raise
        except ActionRefused as refused:
            await record(REFUSAL_STATUS[refused.kind], {"detail": refused.message})
            raise
        await record(status, jsonable_encoder(result))
        return result


def _once(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=200,
            description="any string unique to this action (a UUID): a retry with it is answered as the first "
            "call, and the action is applied once; kept for a day",
        ),
    ] = None,
) -> Once:
    return Once(key, request.url.path)


Idempotent = Annotated[Once, Depends(_once)]
