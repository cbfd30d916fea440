"""A citizen's request as a channel submits it, and the checks that need the reference data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.reference import GRID_PATTERN, ReferenceData

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
CLOCK_SKEW = timedelta(minutes=5)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citizen(_In):
    name: Annotated[Text, StringConstraints(max_length=64)]
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]


class Location(_In):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class NewRequest(_In):
    channel: Annotated[Text, StringConstraints(max_length=48)]
    channel_ref: Annotated[Text, StringConstraints(max_length=128)] = Field(
        description="the channel's own id of the submission; the same one again creates nothing"
    )
    citizen: Citizen
    content: Annotated[Text, StringConstraints(max_length=4000)]
    address: Annotated[Text, StringConstraints(max_length=256)]
    location: Location | None = None
    grid: Annotated[str, StringConstraints(pattern=GRID_PATTERN.pattern)] | None = Field(
        default=None, description="grid code such as YT-03-12"
    )
    category_hint: Annotated[Text, StringConstraints(max_length=64)] | None = Field(
        default=None, description="the channel's own category: a matter type or domain code or name"
    )
    reported_at: AwareDatetime | None = None


def request_problems(new: NewRequest, reference: ReferenceData, now: datetime) -> dict[str, str]:
    """Field → reason, for what the shape alone cannot tell."""
    problems: dict[str, str] = {}
    if new.channel not in reference.channels:
        problems["channel"] = f"unknown channel {new.channel!r}; the channels are in config/channels.yaml"
    if new.reported_at and new.reported_at > now + CLOCK_SKEW:
        problems["reported_at"] = f"{new.reported_at.isoformat()} is in the future"
    return problems
