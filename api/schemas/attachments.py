"""Attachments as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from domain.attachments import AttachedTo, AttachmentKind, Visibility
from persistence.models import AttachmentRow


class UploaderOut(BaseModel):
    role: str
    unit: str | None
    key_id: str


class AttachmentOut(BaseModel):
    id: str
    kind: AttachmentKind
    content_type: str = Field(description="as stored and served (a HEIC picture is stored as JPEG)")
    sniffed_type: str = Field(description="what the uploaded bytes were, by their content")
    size: int
    sha256: str = Field(description="of the stored bytes; also in the reply's or response's timeline event")
    filename: str
    has_thumbnail: bool = Field(description="a picture's thumbnail may be fetched (false once erased)")
    visibility: Visibility
    attached_to: AttachedTo | None = Field(description="request, reply or response; null until one names it")
    request_id: str | None
    case_id: str | None = Field(description="the case a unit uploaded it to (a request's file follows its request)")
    event_seq: int | None = Field(description="the timeline event (reply, response) that took it")
    uploaded_by: UploaderOut
    uploaded_at: datetime
    erased_at: datetime | None = Field(
        description="when the file (a citizen's, with a request) was deleted at the end of the retention "
        "period; its hash and size stay, its name reads [已删除], its download answers 410"
    )

    @classmethod
    def of(cls, row: AttachmentRow) -> AttachmentOut:
        return cls(
            id=row.id,
            kind=AttachmentKind(row.kind),
            content_type=row.content_type,
            sniffed_type=row.sniffed_type,
            size=row.size,
            sha256=row.sha256,
            filename=row.filename,
            has_thumbnail=row.thumbnail_sha256 is not None and row.erased_at is None,
            visibility=Visibility(row.visibility),
            attached_to=AttachedTo(row.attached_to) if row.attached_to else None,
            request_id=row.request_id,
            case_id=row.case_id,
            event_seq=row.event_seq,
            uploaded_by=UploaderOut(
                role=row.uploaded_by_role, unit=row.uploaded_by_unit, key_id=row.uploaded_by_key_id
            ),
            uploaded_at=row.uploaded_at,
            erased_at=row.erased_at,
        )


class AttachmentsOut(BaseModel):
    case_id: str
    items: list[AttachmentOut]
