"""What every request body and response shares: strict bodies and non-blank text."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from domain.request import Instant, Text, supported

Day = Annotated[date, AfterValidator(supported)]
"""A date in the years Minsheng counts in."""
Offset = Annotated[int, Field(ge=0, le=1_000_000_000)]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
"""A row's number: no larger than the database's BIGINT."""

__all__ = ["Day", "In", "Instant", "Offset", "RowId", "Text"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")
