"""Attachments' rows: the upload, what names it (a request at intake, a reply's or a response's
timeline event), and the reads: a case's files, one file of a case."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.attachments import AttachedTo
from persistence.models import AttachmentRow, RequestRow


def _of_case(case_id: str) -> sa.ColumnElement[bool]:
    """A case's files: its requests' (wherever merges and splits moved them) and its units' own."""
    of_requests = select(RequestRow.id).where(RequestRow.case_id == case_id)
    return or_(col(AttachmentRow.case_id) == case_id, col(AttachmentRow.request_id).in_(of_requests))


async def unattached_upload(
    session: AsyncSession, key_id: str, upload_sha256: str, case_id: str | None
) -> AttachmentRow | None:
    """The same bytes uploaded before by the same key (to the same case, or at intake) and not yet
    named by anything: a retried upload answers it rather than make a second file."""
    query = select(AttachmentRow).where(
        AttachmentRow.uploaded_by_key_id == key_id,
        AttachmentRow.upload_sha256 == upload_sha256,
        col(AttachmentRow.attached_to).is_(None),
        col(AttachmentRow.case_id).is_(None) if case_id is None else AttachmentRow.case_id == case_id,
    )
    return (await session.exec(query)).first()


def add_attachment(session: Session, row: AttachmentRow) -> None:
    session.add(row)


async def count_of_case(session: AsyncSession, case_id: str) -> int:
    """The files the case's units uploaded to it."""
    query = select(func.count()).select_from(AttachmentRow).where(AttachmentRow.case_id == case_id)
    return (await session.exec(query)).one()


async def get_many(session: AsyncSession, ids: list[str]) -> dict[str, AttachmentRow]:
    rows = await session.exec(select(AttachmentRow).where(col(AttachmentRow.id).in_(ids)))
    return {row.id: row for row in rows}


async def request_of(session: AsyncSession, request_id: str) -> RequestRow | None:
    return await session.get(RequestRow, request_id)


def attach_to_request(session: Session, ids: list[str], request_id: str) -> None:
    """Intake's request names its files (checked by the API: uploaded by the same key, unattached)."""
    if ids:
        session.exec(
            sa.update(AttachmentRow)
            .where(col(AttachmentRow.id).in_(ids), col(AttachmentRow.attached_to).is_(None))
            .values(request_id=request_id, attached_to=AttachedTo.request.value)
        )


def attach_to_event(session: Session, case_id: str, seq: int, attached_to: AttachedTo, ids: list[str]) -> None:
    """The case recorded a reply or a response naming these files (an activity retried writes the same)."""
    session.exec(
        sa.update(AttachmentRow)
        .where(col(AttachmentRow.id).in_(ids), AttachmentRow.case_id == case_id)
        .values(event_seq=seq, attached_to=attached_to.value)
    )


async def of_case(session: AsyncSession, case_id: str) -> list[AttachmentRow]:
    query = (
        select(AttachmentRow).where(_of_case(case_id)).order_by(col(AttachmentRow.uploaded_at), col(AttachmentRow.id))
    )
    return list(await session.exec(query))


async def one_of_case(session: AsyncSession, case_id: str, attachment_id: str) -> AttachmentRow | None:
    query = select(AttachmentRow).where(AttachmentRow.id == attachment_id, _of_case(case_id))
    return (await session.exec(query)).first()
