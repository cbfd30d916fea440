"""The reference data a client builds requests from: channels, units, the catalogue."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from domain.reference import Tier, UnitKind


class ChannelOut(BaseModel):
    code: str
    name: str
    name_en: str
    kind: Literal["online", "offline"]


class UnitOut(BaseModel):
    code: str
    name: str
    name_en: str
    kind: UnitKind


class MatterTypeOut(BaseModel):
    code: str
    name: str
    name_en: str
    responsible: str
    """The responsible unit's code, or ``town_of_location``: the town where the matter is."""
    basis: Literal["statutory", "agreed", "assigned"]
    tier: Tier


class DomainOut(BaseModel):
    code: str
    name: str
    name_en: str
    matter_types: list[MatterTypeOut]


class ReferenceOut(BaseModel):
    """What a valid request may name: ``channel`` of intake, ``unit`` and ``matter_type`` of a
    dispatch, ``summonses[].unit`` of a whistle. As shipped in ``config/`` and loaded at start-up."""

    channels: list[ChannelOut]
    units: list[UnitOut]
    domains: list[DomainOut]
