"""Attachments over HTTP: the file is the request's body as it is (any content type: the type is
sniffed from the bytes), its name and visibility in the query. Intake uploads before the request
that names the ids; a unit uploads to its case before the reply or response that names them. The
reads are recorded like every read of citizens' personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from api.cases import load_case
from api.context import AppContext, Context, Intake, Principal, Reader, UnitKey, answers
from api.schemas.attachments import AttachmentOut, AttachmentsOut
from domain.attachments import KNOWN_TYPES, Visibility, may_see
from domain.case import CaseStatus
from persistence import attachments
from persistence.models import AttachmentRow
from services.attachments import Refused, Upload, object_key, thumbnail_key, upload

router = APIRouter(prefix="/v1", tags=["attachments"])

_UPLOAD = {
    "requestBody": {
        "required": True,
        "description": "the file's bytes as they are (curl --data-binary @photo.jpg)",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_UPLOADED: dict[int | str, dict[str, Any]] = {
    200: {"model": AttachmentOut, "description": "the same file again from the same key: nothing new"}
}
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in KNOWN_TYPES}, "description": "the file, as its stored type"}
}
Filename = Annotated[
    str | None, Query(max_length=255, description="the file's name on the device, shown and offered back")
]
Seen = Annotated[Visibility, Query(description="case: all who may read the case; centre: the centre and your unit")]


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused (413) as soon as it is longer than any kind may be."""
    too_long = HTTPException(
        413, f"the file is larger than {limit} bytes, the most config/attachments.yaml allows any kind"
    )
    if int(request.headers.get("content-length") or 0) > limit:
        raise too_long
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise too_long
    return bytes(data)


@dataclass(frozen=True)
class Sent:
    """An upload as it came: the body is the file, its name and visibility in the query."""

    request: Request
    response: Response
    filename: str | None
    visibility: Visibility

    async def take(self, context: AppContext, principal: Principal, case_id: str | None) -> AttachmentOut:
        data = await _body(self.request, context.settings.attachment_policy.largest)
        row, created = await store(context, principal, case_id, data, self.filename, self.visibility)
        self.response.status_code = 201 if created else 200
        return AttachmentOut.of(row)


async def store(
    context: AppContext,
    principal: Principal,
    case_id: str | None,
    data: bytes,
    filename: str | None,
    visibility: Visibility,
) -> tuple[AttachmentRow, bool]:
    """A file sent (over the API or from a console form) stored as ``upload`` takes it; its refusal
    as the HTTP answer."""
    up = Upload(data, filename, visibility, principal.actor, case_id)
    try:
        return await upload(context.db, context.store, context.settings.attachment_policy, up, datetime.now(UTC))
    except Refused as refused:
        if refused.status == 422:  # shaped as FastAPI's own: the body is the field at fault
            raise HTTPException(422, [{"loc": ["body"], "msg": refused.message, "type": "value_error"}]) from None
        raise HTTPException(refused.status, refused.message) from None


def _sent(request: Request, response: Response, filename: Filename = None, visibility: Seen = Visibility.case) -> Sent:
    return Sent(request, response, filename, visibility)


Sending = Annotated[Sent, Depends(_sent)]


@router.post(
    "/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=_UPLOADED | answers(413, 415),
    openapi_extra=_UPLOAD,
)
async def upload_for_request(principal: Intake, context: Context, sent: Sending) -> AttachmentOut:
    """A file the citizen sends (a photo, a voice message, a document), before the request: name
    its id in the request's ``attachments``. A picture is stored without its metadata (GPS, the
    device), upright, with a thumbnail."""
    return await sent.take(context, principal, None)


@router.post(
    "/cases/{case_id}/attachments",
    status_code=201,
    response_model=AttachmentOut,
    responses=_UPLOADED | answers(404, 409, 413, 415),
    openapi_extra=_UPLOAD,
)
async def upload_to_case(case_id: str, principal: UnitKey, context: Context, sent: Sending) -> AttachmentOut:
    """A file of the case's unit or of a unit summoned to it (a photo of the work done, a
    document), before the reply or the whistle response that names its id in ``attachments``."""
    await case_takes_files(context, principal, case_id)
    return await sent.take(context, principal, case_id)


async def case_takes_files(context: AppContext, principal: Principal, case_id: str) -> None:
    """A unit's file may go to the case: its own or summoned case (else 403), open, and short of
    ``per_case`` files (else 409)."""
    file = await load_case(context, principal, case_id)
    if file.case.status in (CaseStatus.closed, CaseStatus.merged):
        raise HTTPException(409, f"case {case_id} is {file.case.status}: it takes no more files")
    most = context.settings.attachment_policy.per_case
    async with context.db.session() as session:
        if await attachments.count_of_case(session, case_id) >= most:
            raise HTTPException(
                409, f"case {case_id} has {most} files, the most config/attachments.yaml allows (per_case)"
            )


def _visible(principal: Principal, row: AttachmentRow) -> bool:
    return may_see(Visibility(row.visibility), row.uploaded_by_unit, principal.actor)


@router.get("/cases/{case_id}/attachments", response_model=AttachmentsOut, responses=answers(404))
async def list_attachments(case_id: str, principal: Reader, context: Context) -> AttachmentsOut:
    """The case's files the caller may see: its requests' (the citizens'), and its units' (with a
    reply, a whistle response, or not yet named); the read is recorded."""
    await load_case(context, principal, case_id)
    async with context.db.session() as session:
        rows = await attachments.of_case(session, case_id)
    await context.record_read(principal, case_id, "attachments")
    return AttachmentsOut(case_id=case_id, items=[AttachmentOut.of(r) for r in rows if _visible(principal, r)])


async def _one(context: Context, principal: Principal, case_id: str, attachment_id: str) -> AttachmentRow:
    """The file's row, if the caller may fetch its bytes: 410 once they are erased."""
    file = await load_case(context, principal, case_id)
    async with context.db.session() as session:
        row = await attachments.one_of_case(session, case_id, attachment_id)
    if row is None:
        raise HTTPException(404, f"case {case_id} has no attachment {attachment_id}")
    if not _visible(principal, row):
        raise HTTPException(403, f"attachment {attachment_id} is for the centre and the unit that uploaded it")
    if row.erased_at is not None:
        zone = context.settings.timing.zone
        closed = f" (the case closed on {file.case.closed_at.astimezone(zone):%Y-%m-%d})" if file.case.closed_at else ""
        raise HTTPException(
            410,
            f"attachment {attachment_id} was erased on {row.erased_at.astimezone(zone):%Y-%m-%d %H:%M} {zone.key}, "
            f"at the end of the retention period of the citizens' personal data{closed}; its hash and size are kept",
        )
    return row


def _served(data: bytes, media_type: str, sha256: str, disposition: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={
            "content-disposition": disposition,
            "x-content-sha256": sha256,
            "x-content-type-options": "nosniff",  # served as stored, never as a browser guesses
            "cache-control": "private, no-store",
        },
    )


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}", response_class=Response, responses=_FILE | answers(404, 410)
)
async def download(case_id: str, attachment_id: str, principal: Reader, context: Context) -> Any:
    """The file as stored (a picture without its metadata), checked against its SHA-256
    (``x-content-sha256``); the read is recorded. 410 once a citizen's file is erased at the end of
    the retention period."""
    row = await _one(context, principal, case_id, attachment_id)
    data = await context.store.get(object_key(row.id))
    await context.record_read(principal, case_id, f"attachment {row.id}")
    return _served(data, row.content_type, row.sha256, f"attachment; filename*=UTF-8''{quote(row.filename)}")


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}/thumbnail",
    response_class=Response,
    responses=answers(404, 410) | {200: {"content": {"image/jpeg": {}}, "description": "a JPEG"}},
)
async def thumbnail(case_id: str, attachment_id: str, principal: Reader, context: Context) -> Any:
    """A picture's thumbnail (JPEG, ``thumbnail_px`` on its longer side); 404 for audio and documents."""
    row = await _one(context, principal, case_id, attachment_id)
    if row.thumbnail_sha256 is None:
        raise HTTPException(404, f"attachment {attachment_id} is {row.kind}, which has no thumbnail")
    data = await context.store.get(thumbnail_key(row.id))
    await context.record_read(principal, case_id, f"thumbnail {row.id}")
    return _served(data, "image/jpeg", row.thumbnail_sha256, "inline")
