"""Texts to the citizen (``config/texts.yaml``): the acknowledgement with the request number on
intake, the unit's reply, and a notice before the callback visit, sent through the city's SMS
platform. Which timeline events make which texts, the texts themselves, quiet hours (a text due in
them waits for their end, in the city's zone) and who gets none: a channel that answers the
citizen itself (``answers_citizen`` in ``config/channels.yaml``), a citizen who opted out, a request
with no phone."""

from __future__ import annotations

import string
from datetime import datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.reference import parse_yaml


class TextKind(StrEnum):
    acknowledgement = "acknowledgement"
    reply = "reply"
    callback_notice = "callback_notice"


PLACEHOLDERS = {"request_id", "reply"}


class QuietHours(BaseModel):
    """From ``start`` to ``end`` (local times; ``end`` before ``start`` runs past midnight)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    start: time
    end: time

    def holds(self, at: datetime, zone: ZoneInfo) -> datetime | None:
        """When a text due at ``at`` may go: None if now, else the end of the quiet hours."""
        local = at.astimezone(zone)
        clock = local.time().replace(tzinfo=None)
        overnight = self.end <= self.start
        quiet = (clock >= self.start or clock < self.end) if overnight else self.start <= clock < self.end
        if not quiet:
            return None
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end += timedelta(days=1)
        return end


class Texts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    acknowledgement: str = Field(
        default="【民生服务】您的诉求已受理，编号{request_id}。凭编号和手机尾号四位可查询办理进度。", min_length=1
    )
    reply: str = Field(default="【民生服务】您的诉求{request_id}已办理：{reply}", min_length=1)
    callback_notice: str = Field(
        default="【民生服务】近日将有工作人员回访您对诉求{request_id}办理情况的评价，请留意来电。", min_length=1
    )

    @field_validator("acknowledgement", "reply", "callback_notice")
    @classmethod
    def _known_placeholders(cls, text: str) -> str:
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        unknown = sorted(used - PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholders {unknown}; a text may use {sorted(PLACEHOLDERS)}")
        return text


class TextPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    quiet_hours: QuietHours | None = QuietHours(start=time(21), end=time(8))
    """None: texts go at any hour."""
    texts: Texts = Texts()

    def render(self, kind: TextKind, request_id: str, reply: str | None) -> str:
        text: str = getattr(self.texts, kind.value)
        return text.format(request_id=request_id, reply=reply or "")


def load_text_policy(path: Path) -> TextPolicy:
    return parse_yaml(TextPolicy, path)


def texts_of_event(kind: str, detail: dict[str, str], requests: list[str]) -> list[tuple[TextKind, str]]:
    """The texts a timeline event makes, each (kind, request id): ``received`` and
    ``request_joined`` acknowledge their request; ``replied`` tells every citizen of the case the
    reply; ``callbacks_planned`` tells each citizen to be visited (late joiners also get the reply)."""
    if kind in ("received", "request_joined"):
        return [(TextKind.acknowledgement, detail["request_id"])]
    if kind == "replied":
        return [(TextKind.reply, r) for r in requests]
    if kind == "callbacks_planned":
        late = [r for r in detail.get("late_joiners", "").split(",") if r]
        return [(TextKind.reply, r) for r in late] + [(TextKind.callback_notice, r) for r in late or requests]
    return []


def why_not_sent(phone: str, answers_citizen: bool, opted_out: bool) -> str | None:
    """Why a text is not sent to a request's citizen, or None to send it."""
    if answers_citizen:
        return "the channel answers the citizen itself"
    if not phone:
        return "no phone number"
    if opted_out:
        return "the citizen opted out of texts"
    return None
