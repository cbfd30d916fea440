"""Typical inaction (典型不作为): a leader marks a case, with a reason, for a city-wide notice that
counts against its unit in the month's assessment; the marks of a month; and who was told of a
case's slips and notices (each delivery to each recipient)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from api.assessments import Leader, Leadership, NoticeLinks, _links, _month
from api.context import Context, answers
from api.schemas.common import In, Text
from domain.inaction import InactionRefused
from persistence import cases, inaction, outbox
from persistence.inaction import Marking, NoSuchCase
from persistence.models import InactionMarkRow

router = APIRouter(prefix="/v1", tags=["typical inaction"])
log = structlog.get_logger(__name__)


class InactionIn(In):
    reason: Text = Field(max_length=2000, description="why the case is typical inaction; printed in the notice")


class InactionOut(BaseModel):
    case_id: str
    unit: str = Field(description="the unit it counts against: the case's unit when it was marked")
    month: str = Field(description="the assessment month it counts in: the month it was marked in (city's zone)")
    reason: str
    marked_by: str | None = Field(description="the API key id of the leader who marked it")
    marked_at: datetime
    notice: NoticeLinks

    @classmethod
    def of(cls, row: InactionMarkRow) -> InactionOut:
        return cls(
            case_id=row.case_id,
            unit=row.unit_code,
            month=row.month,
            reason=row.reason,
            marked_by=row.actor_key_id,
            marked_at=row.marked_at,
            notice=_links(row.notice_key),
        )


class DeliveryOut(BaseModel):
    recipient: str = Field(description="a unit code, <unit>:leader, centre, city_leadership or discipline_commission")
    kind: str = Field(description="reminder, supervision, warning or typical_inaction")
    outcome: str = Field(description="delivered, or failed (tried again on the worker's next round)")
    attempts: int
    error: str | None
    first_attempt_at: datetime
    last_attempt_at: datetime
    delivered_at: datetime | None


@router.post(
    "/cases/{case_id}/typical-inaction", status_code=201, response_model=InactionOut, responses=answers(404, 409)
)
async def mark_typical_inaction(case_id: str, body: InactionIn, principal: Leader, context: Context) -> InactionOut:
    """Mark a case as typical inaction (典型不作为), once. Its city-wide notice is written from the
    case's timeline (Markdown and PDF, at the links answered) and sent to the recipients of
    ``config/notifications.yaml``; it counts against the case's unit in this month's assessment."""
    s = context.settings
    marking = Marking(
        case_id=case_id,
        reason=body.reason,
        actor_key_id=principal.key_id,
        now=datetime.now(UTC),
        zone=s.timing.zone,
        reference=context.reference,
        notices=s.assessment_policy.notices,
        notifications=s.notification_policy,
        api_url=s.api_url,
    )
    try:
        row = await context.db.write(lambda session: inaction.mark_case(session, marking))
    except NoSuchCase:
        raise HTTPException(404, f"no case {case_id}") from None
    except InactionRefused as refused:
        raise HTTPException(409, str(refused)) from None
    log.info("typical inaction marked", case_id=case_id, unit=row.unit_code, month=row.month)
    return InactionOut.of(row)


@router.get("/typical-inaction", response_model=list[InactionOut])
async def typical_inaction(
    principal: Leadership,
    context: Context,
    month: Annotated[str | None, Query(description="YYYY-MM; default: last month in the city's zone")] = None,
) -> list[InactionOut]:
    """The cases marked as typical inaction that count in a month, oldest first: who marked each,
    when and why, and its notice."""
    month = _month(context, month, "month")
    async with context.db.session() as session:
        return [InactionOut.of(r) for r in await inaction.marks_of_month(session, month)]


@router.get("/cases/{case_id}/deliveries", response_model=list[DeliveryOut], responses=answers(404))
async def deliveries(case_id: str, principal: Leadership, context: Context) -> list[DeliveryOut]:
    """Who was told of the case's slips and typical inaction notice: one row per notification and
    recipient, with its latest outcome and the number of attempts, in the order written."""
    async with context.db.session() as session:
        if await cases.get_case(session, case_id) is None:
            raise HTTPException(404, f"no case {case_id}")
        rows = await outbox.deliveries_of_case(session, case_id)
    return [DeliveryOut.model_validate(r, from_attributes=True) for r in rows]
