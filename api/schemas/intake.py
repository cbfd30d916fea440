"""Intake's bodies and answers: one request, or a batch."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import In


class IntakeOut(BaseModel):
    request_id: str
    case_id: str
    status: Literal["created", "merged", "existing"] = Field(
        description="created: a new case; merged: joined the open case of the same matter (一事多投); "
        "existing: this channel_ref was taken in before, nothing new"
    )
    starting: bool = Field(
        default=False,
        description="the case engine did not answer (HTTP 202): the request is kept and its case "
        "started or joined as soon as the engine answers; there is no need to send it again",
    )
    lookup_token: str | None = Field(
        default=None,
        description="hand it to the citizen: it looks the request up (POST /v1/lookup) without the phone",
    )


BATCH_LIMIT = 500


class BatchIn(In):
    """An offline channel's upload (grid workers, door-to-door visits, inspectors). Each item is
    checked on its own, so one bad item does not turn the others away."""

    requests: list[Any] = Field(min_length=1, max_length=BATCH_LIMIT, description="items as for POST /v1/requests")


class ItemError(BaseModel):
    field: str = Field(description="where in the item, e.g. citizen.phone")
    msg: str


class BatchItemOut(BaseModel):
    index: int = Field(description="the item's position in the upload, from 0")
    channel_ref: str | None = None
    status: Literal["created", "merged", "existing", "refused", "failed"] = Field(
        description="created, merged, existing (a duplicate of an earlier upload: nothing new), as for "
        "one request; refused: the item is wrong, see errors, and nothing was taken in; failed: the "
        "database did not answer, send the item again (intake is idempotent)"
    )
    request_id: str | None = None
    case_id: str | None = None
    starting: bool = Field(default=False, description="as for one request: kept, its case not yet started")
    lookup_token: str | None = None
    errors: list[ItemError] = []


class BatchOut(BaseModel):
    counts: dict[str, int] = Field(description="items per status")
    items: list[BatchItemOut]
