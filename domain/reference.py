"""Reference data a city edits: channels, responsible units and the responsibility catalogue.

The files live in one folder (``config/`` by default). They are validated as a whole at start-up;
a bad file stops start-up with an error naming the file, the entry and the field.
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,47}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
TOWN_OF_LOCATION = "town_of_location"
"""The catalogue's rule for matters handled by the town or subdistrict where they happen."""


class Tier(StrEnum):
    """Colour tiers (红橙黄蓝绿), most urgent first."""

    red = "red"
    orange = "orange"
    yellow = "yellow"
    blue = "blue"
    green = "green"


class RequestKind(StrEnum):
    """What a citizen's request is (诉求类型): see domain/kinds.py."""

    complaint = "complaint"  # 投诉
    help = "help"  # 求助
    consultation = "consultation"  # 咨询
    suggestion = "suggestion"  # 建议
    praise = "praise"  # 表扬


class UnitKind(StrEnum):
    town = "town"
    department = "department"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Entry):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: Literal["online", "offline"]
    request_kind: RequestKind | None = None
    """The kind of every request from this channel (a praise line, a suggestion box), if it has one."""
    answers_citizen: bool = False
    """The channel tells the citizen of their request itself (an app's own messages): Minsheng
    sends it no texts."""


class Unit(_Entry):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    kind: UnitKind
    grid_prefix: str | None = Field(default=None, pattern=r"^[A-Z]{2,3}$")
    address_keywords: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _town_fields(self) -> Unit:
        if self.kind is UnitKind.town and not (self.grid_prefix and self.address_keywords):
            raise ValueError("a town needs grid_prefix and address_keywords")
        if self.kind is UnitKind.department and (self.grid_prefix or self.address_keywords):
            raise ValueError("a department has no grid_prefix or address_keywords")
        return self


class MatterType(_Entry):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    keywords: tuple[str, ...] = Field(min_length=1)
    responsible: Code
    basis: Literal["statutory", "agreed", "assigned"]
    tier: Tier


class Domain(_Entry):
    code: Code
    name: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    matter_types: tuple[MatterType, ...] = Field(min_length=1)


class _ChannelsFile(_Entry):
    channels: tuple[Channel, ...] = Field(min_length=1)


class _UnitsFile(_Entry):
    units: tuple[Unit, ...] = Field(min_length=1)


class _CatalogueFile(_Entry):
    domains: tuple[Domain, ...] = Field(min_length=1)


class ReferenceDataError(ValueError):
    """A reference data file is wrong; the message names the file, entry and field."""


class ReferenceData:
    """The validated reference data, indexed by code."""

    def __init__(self, channels: tuple[Channel, ...], units: tuple[Unit, ...], domains: tuple[Domain, ...]) -> None:
        self.channels = {c.code: c for c in channels}
        self.units = {u.code: u for u in units}
        self.domains = {d.code: d for d in domains}
        self.matter_types = {m.code: m for d in domains for m in d.matter_types}
        self.domain_of = {m.code: d.code for d in domains for m in d.matter_types}
        self.towns = tuple(u for u in units if u.kind is UnitKind.town)

    def unit_for(self, matter: MatterType, town: str | None) -> str | None:
        """The responsible unit of a matter type, given the town of the location (if known)."""
        return town if matter.responsible == TOWN_OF_LOCATION else matter.responsible


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReferenceDataError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ReferenceDataError(f"{path}: not valid YAML: {exc}") from None


def _describe(raw: object, loc: tuple[int | str, ...]) -> str:
    """'units[3] (code=yatou).grid_prefix' from a pydantic error location."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
            node = node[item] if isinstance(node, list) and item < len(node) else None
            if isinstance(node, dict) and "code" in node:
                parts[-1] += f" (code={node['code']})"
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_yaml[M: BaseModel](model: type[M], path: Path) -> M:
    """Read and validate one data file; errors name the file, the entry and the field."""
    raw = _read_yaml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [
            f"{path}: {_describe(raw, tuple(e['loc']))}: {e['msg']}"
            + (f" (got {e['input']!r})" if not isinstance(e["input"], (dict, list)) else "")
            for e in exc.errors()
        ]
        raise ReferenceDataError("\n".join(lines)) from None


def _unique(path: Path, what: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ReferenceDataError(f"{path}: {what} {code!r} appears twice")
        seen.add(code)


def load_reference(folder: Path) -> ReferenceData:
    """Read and cross-check channels.yaml, units.yaml and catalogue.yaml in ``folder``."""
    channels_path, units_path, catalogue_path = (
        folder / "channels.yaml",
        folder / "units.yaml",
        folder / "catalogue.yaml",
    )
    channels = parse_yaml(_ChannelsFile, channels_path).channels
    units = parse_yaml(_UnitsFile, units_path).units
    domains = parse_yaml(_CatalogueFile, catalogue_path).domains

    _unique(channels_path, "channel code", [c.code for c in channels])
    _unique(units_path, "unit code", [u.code for u in units])
    _unique(units_path, "grid_prefix", [u.grid_prefix for u in units if u.grid_prefix])
    _unique(units_path, "address keyword", [k for u in units for k in u.address_keywords])
    _unique(catalogue_path, "domain code", [d.code for d in domains])
    _unique(catalogue_path, "matter type code", [m.code for d in domains for m in d.matter_types])

    departments = {u.code for u in units if u.kind is UnitKind.department}
    for d_index, domain in enumerate(domains):
        for m_index, matter in enumerate(domain.matter_types):
            if matter.responsible != TOWN_OF_LOCATION and matter.responsible not in departments:
                raise ReferenceDataError(
                    f"{catalogue_path}: domains[{d_index}] (code={domain.code})."
                    f"matter_types[{m_index}] (code={matter.code}).responsible: "
                    f"{matter.responsible!r} is neither a department in {units_path.name} "
                    f"nor {TOWN_OF_LOCATION!r}"
                )
    return ReferenceData(channels, units, domains)


GRID_PATTERN = re.compile(r"^([A-Z]{2,3})-\d{2}-\d{2}$")
"""Grid codes look like ``YT-03-12``: town prefix, community, grid."""
