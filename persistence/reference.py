"""The reference tables, kept in line with the data files a city edits."""

from __future__ import annotations

from sqlmodel import Session

from domain.reference import ReferenceData
from persistence.models import (
    ChannelRow,
    DomainRow,
    MatterTypeRow,
    UnitRow,
)
from persistence.sql import upsert


def sync_reference(session: Session, reference: ReferenceData) -> None:
    """Bring the reference tables in line with the data files (added and changed entries)."""

    upsert(
        session,
        ChannelRow,
        [c.model_dump(include={"code", "name", "name_en", "kind"}) for c in reference.channels.values()],
        "code",
    )
    upsert(
        session,
        UnitRow,
        [u.model_dump(include={"code", "name", "name_en", "kind"}) for u in reference.units.values()],
        "code",
    )
    upsert(
        session,
        DomainRow,
        [d.model_dump(include={"code", "name", "name_en"}) for d in reference.domains.values()],
        "code",
    )
    upsert(
        session,
        MatterTypeRow,
        [
            m.model_dump(include={"code", "name", "name_en", "responsible", "basis", "tier"})
            | {"domain_code": reference.domain_of[code]}
            for code, m in reference.matter_types.items()
        ],
        "code",
    )
