"""The follow-ups of interviews and discipline referrals: the record as the workflow last wrote it,
and its reminders in the outbox, in the same transaction, keyed so each kind is sent once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.follow_up import FollowUp, ReminderKind
from persistence.models import AccountabilityActionRow, FollowUpRow
from persistence.outbox import LEADERSHIP, add_once
from persistence.sql import upsert

REMINDER_SUBJECT = {
    ReminderKind.not_held: "问责事项未按期实施提醒",
    ReminderKind.due_soon: "问责整改即将到期提醒",
    ReminderKind.overdue: "问责整改逾期提醒",
}


def reminder_recipients(unit: str) -> list[str]:
    """The unit concerned and city leadership, who hold it to its promise."""
    return [unit, LEADERSHIP]


def record_follow_up(
    session: Session, state: FollowUp, now: datetime, reminder: ReminderKind | None, api_url: str
) -> bool:
    """Write the record (and the reminder's messages); False, writing nothing, when a re-run has
    withdrawn the action meanwhile: a withdrawn action is followed up no further."""
    action = session.get(AccountabilityActionRow, state.key)
    if action is None or action.withdrawn_at is not None:
        return False
    row = {
        "key": state.key,
        "month": state.month,
        "unit_code": state.unit,
        "step": state.step.value,
        "status": state.status.value,
        "due_on": state.due_on,
        "state": state.model_dump(mode="json"),
        "updated_at": now,
    }
    upsert(session, FollowUpRow, [row], "key")
    if reminder is not None:
        body = {
            "month": state.month,
            "unit": state.unit,
            "step": state.step.value,
            "action_key": state.key,
            "reminder": reminder.value,
            "status": state.status.value,
            "due_on": state.due_on.isoformat() if state.due_on else "",
            "follow_up": f"{api_url.rstrip('/')}/v1/accountability/follow-ups/{state.key}",
        }
        add_once(
            session,
            [
                {
                    "dedupe_key": f"follow-up:{state.key}:{reminder.value}",
                    "recipient": recipient,
                    "subject": f"{REMINDER_SUBJECT[reminder]}：{state.name}",
                    "body": body,
                    "created_at": now,
                }
                for recipient in reminder_recipients(state.unit)
            ],
        )
    return True


async def follow_up(session: AsyncSession, key: str) -> FollowUpRow | None:
    return await session.get(FollowUpRow, key)


async def follow_ups(session: AsyncSession, month: str, unit: str | None = None) -> list[FollowUpRow]:
    query = select(FollowUpRow).where(FollowUpRow.month == month)
    if unit is not None:
        query = query.where(FollowUpRow.unit_code == unit)
    return list((await session.exec(query.order_by(col(FollowUpRow.key)))).all())
