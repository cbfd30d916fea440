"""What every request body and response shares: strict bodies and non-blank text."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")
