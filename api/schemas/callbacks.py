"""The callback agents' queue and answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from api.schemas.cases import CallbackOut, CitizenOut
from api.schemas.common import In
from domain.case import CallbackAnswer
from persistence.models import (
    CallbackRow,
    RequestRow,
)


class CallbackIn(In):
    answer: CallbackAnswer
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


class CallbackTaskOut(CallbackOut):
    """A callback task in the agents' queue, with whom to call."""

    case_id: str
    unit: str | None
    citizen: CitizenOut

    @classmethod
    def of_row(cls, row: CallbackRow, request: RequestRow) -> CallbackTaskOut:
        return cls(
            **CallbackOut.of(row).model_dump(),
            case_id=row.case_id,
            unit=row.unit_code,
            citizen=CitizenOut.of(request),
        )


class CallbackPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[CallbackTaskOut]
