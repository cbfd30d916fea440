"""What every request body and response shares: strict bodies and non-blank text."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.request import Instant, Text, supported

Day = Annotated[date, AfterValidator(supported)]
"""A date in the years Minsheng counts in."""
Offset = Annotated[int, Field(ge=0, le=1_000_000_000)]
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
"""A row's number: no larger than the database's INTEGER, the type of the id and revision columns
(PostgreSQL refuses a larger one in a query, which was a 500)."""

AttachmentIds = Annotated[
    list[Annotated[str, Field(max_length=40)]],
    Field(max_length=50, description="ids of files uploaded to the case first (POST /v1/cases/{case_id}/attachments)"),
]

__all__ = ["AttachmentIds", "Day", "In", "Instant", "Offset", "Problem", "RowId", "Text"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """Why a call was refused or failed: every answer but a 422 (FastAPI's list of fields) and a 2xx."""

    detail: str
