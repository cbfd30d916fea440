"""Request kinds (诉求类型): complaint, request for help, consultation, suggestion, praise.

A request's kind is given by the operator (the request's ``kind``), else by its channel's default
(``config/channels.yaml``), else read from its words (``config/request_kinds.yaml``): the first
kind in the file's order with a cue word in the text, and a complaint when none has. The kind
decides the case's way: consultations may be answered by the centre at first contact; suggestions
and praise go to their unit for information, with no deadline and no callback visit.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.reference import RequestKind, parse_yaml
from domain.text import normalise


class KindSource(StrEnum):
    given = "given"
    channel = "channel"
    words = "words"


Cues = Annotated[tuple[Annotated[str, Field(min_length=1, max_length=32)], ...], Field(max_length=200)]


class KindPolicy(BaseModel):
    """``config/request_kinds.yaml``: the cue words of each kind, tried in this order, and the
    kinds that go to a unit for information only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    praise: Cues = ("表扬", "点赞", "锦旗", "感谢信", "致谢")
    suggestion: Cues = ("提个建议", "提一个建议", "我建议", "合理化建议", "提议", "可否考虑", "能否考虑")
    consultation: Cues = ("咨询", "请问", "想问", "问一下", "怎么办理", "如何办理", "是否可以", "需要什么材料")
    help: Cues = ("求助", "救助", "被困", "急需帮助")
    for_information: tuple[RequestKind, ...] = (RequestKind.suggestion, RequestKind.praise)
    """Kinds sent to their unit for information: no deadline, no callback visit, reported monthly."""

    @field_validator("praise", "suggestion", "consultation", "help", mode="after")
    @classmethod
    def _normalised(cls, cues: tuple[str, ...]) -> tuple[str, ...]:
        for cue in cues:
            if normalise(cue) != cue:
                raise ValueError(f"cue {cue!r} must be written as the text is read: {normalise(cue)!r}")
        return cues


def load_kind_policy(path: Path) -> KindPolicy:
    return parse_yaml(KindPolicy, path)


_ORDER = (RequestKind.praise, RequestKind.suggestion, RequestKind.consultation, RequestKind.help)


def kind_from_words(text: str, policy: KindPolicy) -> tuple[RequestKind, str]:
    """The kind the text's words say, and the cue that said it ("" for the default, complaint)."""
    words = normalise(text)
    for kind in _ORDER:
        for cue in getattr(policy, kind.value):
            if cue in words:
                return kind, cue
    return RequestKind.complaint, ""


def request_kind(
    text: str, given: RequestKind | None, channel_default: RequestKind | None, policy: KindPolicy
) -> tuple[RequestKind, KindSource]:
    if given is not None:
        return given, KindSource.given
    if channel_default is not None:
        return channel_default, KindSource.channel
    return kind_from_words(text, policy)[0], KindSource.words
