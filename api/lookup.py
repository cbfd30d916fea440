"""The citizen's own look-up: no key; the request number and the last four digits of the phone it
was made from; rate-limited per client address (429 with Retry-After)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, model_validator

from api.context import Context, answers
from api.schemas.common import In
from domain.lookup import PublicStep, phone_matches, public_steps
from persistence import cases

router = APIRouter(prefix="/v1", tags=["citizens"])


class LookupIn(In):
    """Either the request number and the phone's last four digits, or the token handed at intake."""

    request_id: (
        Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,40}$", description="the request number given at intake")] | None
    ) = None
    phone_last4: (
        Annotated[str, Field(pattern=r"^[0-9]{4}$", description="the last four digits of the phone")] | None
    ) = None
    token: (
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,32}$", description="the look-up token handed at intake")] | None
    ) = None

    @model_validator(mode="after")
    def _one_way(self) -> LookupIn:
        by_phone = self.request_id is not None and self.phone_last4 is not None
        if by_phone == (self.token is not None) or (not by_phone and (self.request_id or self.phone_last4)):
            raise ValueError("send request_id with phone_last4, or token alone")
        return self


class LookupOut(BaseModel):
    request_id: str
    status: str = Field(description="received, dispatched, accepted, returned, replied, closed or merged")
    received_at: datetime
    expected_by: datetime | None = Field(description="the date the request is to be answered by (its tier's limit)")
    steps: list[PublicStep]
    reply: str | None = Field(description="the unit's reply, once it has replied")


@router.post(
    "/lookup",
    response_model=LookupOut,
    responses=answers(404, 429),
)
async def lookup(body: LookupIn, request: Request, context: Context) -> LookupOut:
    """A citizen looks their request up (no key), by its number and the last four digits of the
    phone, or by the token handed at intake (an anonymous request's only way): its status, the
    steps so far (no names, nothing of other citizens), the date it is expected by and the unit's
    reply. A wrong number, wrong digits or a wrong token get the same 404, and every client address
    may look up a few times a minute."""
    context.lookups.check(request.client.host if request.client else "", context.settings.lookup_per_minute)
    async with context.db.session() as session:
        found = await cases.request_with_case(session, body.request_id, body.token)
    if found is None or (body.phone_last4 and not phone_matches(found.request.citizen_phone, body.phone_last4)):
        raise HTTPException(404, "no request with this number and these digits, or this token")
    case, events = found.case, found.events
    replies = [e.detail.get("result") for e in events if e.kind == "replied"]
    return LookupOut(
        request_id=found.request.id,
        status=case.status,
        received_at=found.request.received_at,
        expected_by=case.citizen_due_at,
        steps=public_steps([(e.at, e.kind) for e in events]),
        reply=replies[-1] if replies and case.status in ("replied", "closed") else None,
    )
