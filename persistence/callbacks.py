"""Callback visits (回访) in the read model: the agents' tasks, one row per attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from persistence.models import (
    CallbackRow,
    RequestRow,
)
from persistence.sql import dialect_insert


def open_callbacks(
    session: Session, case_id: str, unit: str | None, request_ids: list[str], round_: int, now: datetime
) -> None:
    """The agents' tasks of a case from before visits were attempts: one per request."""
    session.exec(
        dialect_insert(session, CallbackRow)
        .values(
            [
                {
                    "case_id": case_id,
                    "request_id": request_id,
                    "unit_code": unit,
                    "round": round_,
                    "status": "pending",
                    "created_at": now,
                }
                for request_id in request_ids
            ]
        )
        .on_conflict_do_nothing(index_elements=["case_id", "request_id", "round", "attempt"])
    )


@dataclass(frozen=True)
class VisitTask:
    callback_id: int
    citizen_name: str
    phone: str


def open_visit(
    session: Session,
    *,
    case_id: str,
    request_id: str,
    unit: str | None,
    round_: int,
    attempt: int,
    due_at: datetime,
    gateway: str,
    now: datetime,
) -> VisitTask:
    """One attempt of one citizen's callback visit: its row, inserted once however often the
    activity runs, and whom to call."""
    session.exec(
        dialect_insert(session, CallbackRow)
        .values(
            case_id=case_id,
            request_id=request_id,
            unit_code=unit,
            round=round_,
            attempt=attempt,
            due_at=due_at,
            gateway=gateway,
            status="pending",
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["case_id", "request_id", "round", "attempt"])
    )
    callback_id, name, phone = session.exec(
        select(CallbackRow.id, RequestRow.citizen_name, RequestRow.citizen_phone)
        .join(RequestRow, col(RequestRow.id) == col(CallbackRow.request_id))
        .where(
            CallbackRow.case_id == case_id,
            CallbackRow.request_id == request_id,
            CallbackRow.round == round_,
            CallbackRow.attempt == attempt,
        )
    ).one()
    assert callback_id is not None
    return VisitTask(callback_id, name, phone)


async def list_callbacks(
    session: AsyncSession, status: str | None, unit: str | None, limit: int, offset: int
) -> tuple[int, list[tuple[CallbackRow, RequestRow]]]:
    """Callback tasks with their requests, the longest due first."""
    conditions = [
        *([col(CallbackRow.status) == status] if status else []),
        *([col(CallbackRow.unit_code) == unit] if unit else []),
    ]
    total = (await session.exec(select(func.count()).select_from(CallbackRow).where(*conditions))).one()
    rows = await session.exec(
        select(CallbackRow, RequestRow)
        .join(RequestRow, col(RequestRow.id) == col(CallbackRow.request_id))
        .where(*conditions)
        .order_by(col(CallbackRow.due_at), col(CallbackRow.id))
        .limit(limit)
        .offset(offset)
    )
    return total, [(c, r) for c, r in rows.all()]


async def get_callback(session: AsyncSession, callback_id: int) -> CallbackRow | None:
    return await session.get(CallbackRow, callback_id)
