"""Attachments' rows: the upload, what names it (a request at intake, a reply's or a response's
timeline event), the reads (a case's files, one file of a case), and the files to delete from the
store: the citizens' past the retention period, the uploads no request named in time."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from domain.attachments import AttachedTo
from persistence.models import AttachmentRow, CaseRow, RequestRow
from persistence.reads import ERASED


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
        col(AttachmentRow.erased_at).is_(None),
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
            .where(
                col(AttachmentRow.id).in_(ids),
                col(AttachmentRow.attached_to).is_(None),
                col(AttachmentRow.erased_at).is_(None),  # not one the unclaimed uploads' cleanup took meanwhile
            )
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


async def request_files_to_erase(session: AsyncSession, limit: int) -> list[AttachmentRow]:
    """Up to ``limit`` files sent with requests of cases whose personal data is erased, and not
    erased themselves yet. Chosen by what the database says is erased, not by the cases one run
    erased: a run after a crash between the cases' erasure and the store finishes the job."""
    of_erased_cases = (
        select(RequestRow.id)
        .join(CaseRow, col(CaseRow.id) == col(RequestRow.case_id))
        .where(col(CaseRow.personal_data_erased_at).is_not(None))
    )
    query = (
        select(AttachmentRow)
        .where(
            AttachmentRow.attached_to == AttachedTo.request.value,
            col(AttachmentRow.erased_at).is_(None),
            col(AttachmentRow.request_id).in_(of_erased_cases),
        )
        .order_by(col(AttachmentRow.id))
        .limit(limit)
    )
    return list(await session.exec(query))


def mark_erased(session: Session, ids: list[str], now: datetime) -> None:
    """Their bytes are gone from the store; the file's name, which may name the citizen, goes too."""
    session.exec(
        sa.update(AttachmentRow)
        .where(col(AttachmentRow.id).in_(ids), col(AttachmentRow.erased_at).is_(None))
        .values(erased_at=now, filename=ERASED)
    )


_UNCLAIMED = (col(AttachmentRow.attached_to).is_(None), col(AttachmentRow.case_id).is_(None))
"""Uploaded for a request (not to a case) and named by none."""


def mark_unclaimed(session: Session, uploaded_before: datetime, now: datetime) -> None:
    """Take the uploads no request named before ``uploaded_before``: marked first, so a request
    naming one of them now finds it gone, and a run after a crash deletes what this one took."""
    session.exec(
        sa.update(AttachmentRow)
        .where(*_UNCLAIMED, col(AttachmentRow.erased_at).is_(None), col(AttachmentRow.uploaded_at) < uploaded_before)
        .values(erased_at=now)
    )


async def unclaimed_taken(session: AsyncSession, limit: int) -> list[AttachmentRow]:
    query = (
        select(AttachmentRow)
        .where(*_UNCLAIMED, col(AttachmentRow.erased_at).is_not(None))
        .order_by(col(AttachmentRow.id))
        .limit(limit)
    )
    return list(await session.exec(query))


def remove(session: Session, ids: list[str]) -> None:
    """Unclaimed uploads whose bytes are deleted: nothing refers to them."""
    session.exec(sa.delete(AttachmentRow).where(col(AttachmentRow.id).in_(ids), *_UNCLAIMED))
