"""The callback agents' queue and answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.schemas.cases import CallbackOut, CitizenOut
from api.schemas.common import In
from domain.case import CallbackAnswer, Resolution
from persistence.models import (
    CallbackRow,
    RequestRow,
)


class CallbackIn(In):
    answer: CallbackAnswer
    resolution: Resolution | None = Field(
        default=None, description="was it solved: required with every answer but unreachable, refused with it"
    )
    note: Annotated[str, StringConstraints(max_length=2000)] = ""

    @model_validator(mode="after")
    def _two_questions(self) -> CallbackIn:
        reached = self.answer is not CallbackAnswer.unreachable
        if reached and self.resolution is None:
            raise ValueError("resolution: ask whether it was solved (solved, partly_solved or not_solved)")
        if not reached and self.resolution is not None:
            raise ValueError("resolution: an unreachable citizen gave no answer to whether it was solved")
        return self


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
