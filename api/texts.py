"""Citizens' texts: the SMS platform tells Minsheng of a citizen's opt-out (退订) or opt-in."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.context import Context, Intake
from api.schemas.common import In
from domain.request import Phone
from persistence import texts

router = APIRouter(prefix="/v1", tags=["citizens"])


class OptOutIn(In):
    phone: Phone = Field(description="the citizen's phone, as intake took it")
    opted_out: bool = Field(default=True, description="true: no more texts to this phone; false: texts again")


class OptOutOut(BaseModel):
    phone: str
    opted_out: bool


@router.post("/texts/opt-outs", response_model=OptOutOut)
async def opt_out(body: OptOutIn, principal: Intake, context: Context) -> OptOutOut:
    """The SMS platform (with an intake key) forwards a citizen's 退订 (or a new opt-in): from now on
    no text goes to that phone, including those already waiting; each is recorded as skipped."""
    now = datetime.now(UTC)
    await context.db.write(lambda s: texts.set_opt_out(s, body.phone, body.opted_out, now))
    return OptOutOut(phone=body.phone, opted_out=body.opted_out)
