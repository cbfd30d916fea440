"""A citizen's request as a channel submits it, and the checks that need the reference data."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.calendar import SUPPORTED_YEARS
from domain.reference import GRID_PATTERN, ReferenceData, RequestKind


def _unicode(value: str) -> str:
    """JSON can carry half of a surrogate pair (``"\\ud800"``); no database or payload can store it."""
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("contains an unpaired surrogate (\\ud800-\\udfff): send valid Unicode text") from None
    return value


def supported[T: (date, datetime)](value: T) -> T:
    """A date or instant in the years Minsheng counts in (``SUPPORTED_YEARS``)."""
    if value.year not in SUPPORTED_YEARS:
        first, last = SUPPORTED_YEARS[0], SUPPORTED_YEARS[-1]
        raise ValueError(f"{value.isoformat()} is outside the years {first}-{last}")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_unicode)]
Instant = Annotated[AwareDatetime, AfterValidator(supported)]
CLOCK_SKEW = timedelta(minutes=5)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{4,19}$")]


class Citizen(_In):
    name: Annotated[Text, StringConstraints(max_length=64)]
    phone: Phone


class Location(_In):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class FirstContactAnswer(_In):
    """The operator's answer on the call, when the centre settles the request at once."""

    answer: Annotated[Text, StringConstraints(max_length=4000)]
    knowledge_entry: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="the knowledge-base entry the answer gave"
    )


class NewRequest(_In):
    channel: Annotated[Text, StringConstraints(max_length=48)]
    channel_ref: Annotated[Text, StringConstraints(max_length=128)] = Field(
        description="the channel's own id of the submission; the same one again creates nothing"
    )
    citizen: Citizen | None = Field(
        default=None, description="leave out (or null) for an anonymous request: handled, never called back"
    )
    content: Annotated[Text, StringConstraints(max_length=4000)]
    address: Annotated[Text, StringConstraints(max_length=256)]
    location: Location | None = None
    grid: Annotated[str, StringConstraints(pattern=GRID_PATTERN.pattern)] | None = Field(
        default=None, description="grid code such as YT-03-12"
    )
    category_hint: Annotated[Text, StringConstraints(max_length=64)] | None = Field(
        default=None, description="the channel's own category: a matter type or domain code or name"
    )
    reported_at: Instant | None = None
    kind: RequestKind | None = Field(
        default=None,
        description="complaint, help, consultation, suggestion or praise; else the channel's or the words'",
    )
    answered: FirstContactAnswer | None = Field(
        default=None,
        description="the operator answered on the call: the case is closed by the centre and never reaches a unit",
    )
    attachments: list[Annotated[str, StringConstraints(max_length=40)]] = Field(
        default=[],
        max_length=50,
        description="ids of files uploaded first with POST /v1/attachments by the same key (photos, audio, documents)",
    )
    media_url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://\S+$")] | None = Field(
        default=None,
        description="a link to the citizen's picture on the channel's own server (Open311's media_url): kept, never fetched",
    )


def request_problems(new: NewRequest, reference: ReferenceData, now: datetime) -> dict[str, str]:
    """Field → reason, for what the shape alone cannot tell."""
    problems: dict[str, str] = {}
    if new.channel not in reference.channels:
        problems["channel"] = f"unknown channel {new.channel!r}; the channels are in config/channels.yaml"
    if new.reported_at and new.reported_at > now + CLOCK_SKEW:
        problems["reported_at"] = f"{new.reported_at.isoformat()} is in the future"
    return problems


def masked_phone(phone: str) -> str:
    """A phone number as a role that need not call sees it: the first three and last four digits
    (138****0000), enough to tell two citizens apart, not to call them."""
    digits = [c for c in phone if c.isdigit()]
    if len(digits) < 8:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])
