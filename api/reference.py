"""The reference data, for clients (and generated clients) to build valid requests from."""

from __future__ import annotations

from fastapi import APIRouter

from api.context import Context, require
from api.schemas.reference import ChannelOut, DomainOut, MatterTypeOut, ReferenceOut, UnitOut
from domain.case import Role

router = APIRouter(prefix="/v1", tags=["reference"])


@router.get(
    "/reference", response_model=ReferenceOut, dependencies=[require(*(r for r in Role if r is not Role.system))]
)
async def reference(context: Context) -> ReferenceOut:
    """The channels, the units, and the catalogue's domains with their matter types (who is
    responsible, on what basis, at which tier): the codes every other call takes."""
    data = context.reference
    return ReferenceOut(
        channels=[ChannelOut.model_validate(c, from_attributes=True) for c in data.channels.values()],
        units=[UnitOut.model_validate(u, from_attributes=True) for u in data.units.values()],
        domains=[
            DomainOut(
                code=d.code,
                name=d.name,
                name_en=d.name_en,
                matter_types=[MatterTypeOut.model_validate(m, from_attributes=True) for m in d.matter_types],
            )
            for d in data.domains.values()
        ],
    )
