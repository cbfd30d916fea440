"""Taking a file in: sniffed and checked against ``config/attachments.yaml``, a picture re-encoded
without its metadata (EXIF with GPS and the device, XMP, comments, the colour profile) and upright
as its EXIF orientation said, with a JPEG thumbnail; stored in the object store under
``attachments/<id>``; its row written. The checks on the files a request, a reply or a response
names. And the deletions: the citizens' files past the retention period, the uploads no request
named in time; each deleted from the store before its row says so, so a crash in between leaves a
row that the next run finds and finishes (deleting a missing object is no error)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath

import pillow_heif
from PIL import Image, ImageOps

from domain.attachments import (
    KNOWN_TYPES,
    AttachmentKind,
    AttachmentPolicy,
    Visibility,
    describe,
    safe_filename,
    sniff,
)
from domain.case import Actor, AttachmentRef
from gateways.storage import ObjectStore, content_hash
from persistence import attachments
from persistence.db import Database
from persistence.models import AttachmentRow
from services.intake import new_id

pillow_heif.register_heif_opener()

SAVE_AS = {
    "image/jpeg": ("JPEG", "image/jpeg", ".jpg"),
    "image/png": ("PNG", "image/png", ".png"),
    "image/webp": ("WEBP", "image/webp", ".webp"),
    "image/heic": ("JPEG", "image/jpeg", ".jpg"),
}
"""How each picture type is stored: a HEIC picture as JPEG, which every browser shows."""
EXTENSIONS = {"audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/amr": ".amr", "audio/wav": ".wav"}
EXTENSIONS |= {
    "audio/ogg": ".ogg",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


class Refused(Exception):
    """A file that is not taken: the HTTP status and what is wrong with it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class Prepared:
    content: bytes
    content_type: str
    sniffed_type: str
    kind: AttachmentKind
    thumbnail: bytes | None
    extension: str


def prepare(data: bytes, policy: AttachmentPolicy) -> Prepared:
    """The file as it is stored, or ``Refused``: its type from its content, its size within its
    kind's limit; a picture re-encoded clean, with its thumbnail."""
    sniffed = sniff(data)
    if why := policy.refusal(sniffed, len(data), describe(data)):
        raise Refused(*why)
    assert sniffed is not None
    kind = KNOWN_TYPES[sniffed]
    if kind is not AttachmentKind.image:
        return Prepared(data, sniffed, sniffed, kind, None, EXTENSIONS[sniffed])
    return _clean_picture(data, sniffed, policy)


def _clean_picture(data: bytes, sniffed: str, policy: AttachmentPolicy) -> Prepared:
    fmt, stored_type, extension = SAVE_AS[sniffed]
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > policy.max_megapixels * 1_000_000:
                raise Refused(
                    422, f"the picture is {width}×{height} pixels, more than {policy.max_megapixels:g} megapixels"
                )
            upright = ImageOps.exif_transpose(image) or image
            alpha = "A" in upright.getbands() or "transparency" in upright.info
            mode = "RGBA" if alpha and fmt != "JPEG" else "RGB"
            pixels = upright.convert(mode)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise Refused(422, f"the file starts as {sniffed} but cannot be read as one ({exc})") from None
    # Only the pixels go on: a new image has no EXIF, XMP, comment or colour profile to carry over.
    clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return Prepared(out.getvalue(), stored_type, sniffed, AttachmentKind.image, _thumbnail(clean, policy), extension)


def _thumbnail(clean: Image.Image, policy: AttachmentPolicy) -> bytes:
    small = Image.new("RGB", clean.size, "white")
    small.paste(clean, mask=clean.getchannel("A") if clean.mode == "RGBA" else None)
    small.thumbnail((policy.thumbnail_px, policy.thumbnail_px))
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80)
    return out.getvalue()


def object_key(attachment_id: str) -> str:
    return f"attachments/{attachment_id}"


def thumbnail_key(attachment_id: str) -> str:
    return f"attachments/{attachment_id}.thumbnail.jpg"


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str | None
    visibility: Visibility
    actor: Actor
    case_id: str | None
    """The case a unit uploads to; None for intake's, which a request names later."""


async def upload(
    db: Database, store: ObjectStore, policy: AttachmentPolicy, up: Upload, now: datetime
) -> tuple[AttachmentRow, bool]:
    """Store the file and write its row; ``(row, created)``. The same bytes sent again by the same
    key, not yet named by anything, answer the first upload's row (``created`` False)."""
    assert up.actor.key_id is not None
    upload_sha256 = content_hash(up.data)
    async with db.session() as session:
        earlier = await attachments.unattached_upload(session, up.actor.key_id, upload_sha256, up.case_id)
    if earlier is not None:
        return earlier, False
    prepared = await asyncio.to_thread(prepare, up.data, policy)
    attachment_id = new_id("A", now)
    stored = await store.put(object_key(attachment_id), prepared.content)
    thumbnail = await store.put(thumbnail_key(attachment_id), prepared.thumbnail) if prepared.thumbnail else None
    stem = PurePosixPath(safe_filename(up.filename, attachment_id)).stem
    row = AttachmentRow(
        id=attachment_id,
        case_id=up.case_id,
        kind=prepared.kind.value,
        content_type=prepared.content_type,
        sniffed_type=prepared.sniffed_type,
        size=stored.size,
        sha256=stored.sha256,
        upload_sha256=upload_sha256,
        thumbnail_sha256=thumbnail.sha256 if thumbnail else None,
        filename=safe_filename(stem + prepared.extension, attachment_id),
        visibility=up.visibility.value,
        uploaded_by_role=up.actor.role.value,
        uploaded_by_unit=up.actor.unit,
        uploaded_by_key_id=up.actor.key_id,
        uploaded_at=now,
    )
    await db.write(lambda session: attachments.add_attachment(session, row))
    return row, True


FIELD = "attachments"


def _count_and_repeats(ids: list[str], most: int, what: str) -> str | None:
    if len(ids) > most:
        return f"at most {most} files with {what} (config/attachments.yaml); got {len(ids)}"
    if repeated := sorted({i for i in ids if ids.count(i) > 1}):
        return f"{', '.join(repeated)} named more than once"
    return None


async def request_problems(
    db: Database, policy: AttachmentPolicy, key_id: str, ids: list[str], channel: str, channel_ref: str
) -> str | None:
    """What is wrong with the files a request names: each uploaded by the same key (``POST
    /v1/attachments``) and named by no other request (the same request sent again names its own)."""
    if not ids:
        return None
    if why := _count_and_repeats(ids, policy.per_request, "a request"):
        return why
    async with db.session() as session:
        rows = await attachments.get_many(session, ids)
        for attachment_id in ids:
            row = rows.get(attachment_id)
            if row is None or row.uploaded_by_key_id != key_id:
                return f"no attachment {attachment_id} uploaded with this key; upload it first (POST /v1/attachments)"
            if row.erased_at is not None and row.attached_to is None:
                return f"attachment {attachment_id} was deleted: no request named it in time; upload it again"
            if row.case_id is not None:
                return f"attachment {attachment_id} was uploaded to case {row.case_id}, not for a new request"
            if row.request_id is not None:
                request = await attachments.request_of(session, row.request_id)
                if request is None or (request.channel, request.channel_ref) != (channel, channel_ref):
                    return f"attachment {attachment_id} already belongs to request {row.request_id}"
    return None


async def action_refs(
    db: Database, policy: AttachmentPolicy, case_id: str, actor: Actor, ids: list[str], what: str
) -> list[AttachmentRef] | str:
    """The files a reply or a response names, as the case's input carries them; or what is wrong:
    each uploaded to this case by the acting unit, and named by nothing yet."""
    if why := _count_and_repeats(ids, policy.per_action, what):
        return why
    async with db.session() as session:
        rows = await attachments.get_many(session, ids) if ids else {}
    for attachment_id in ids:
        row = rows.get(attachment_id)
        if row is None:
            return f"no attachment {attachment_id}; upload it first (POST /v1/cases/{case_id}/attachments)"
        if row.case_id != case_id:
            where = f"case {row.case_id}" if row.case_id else "a request"
            return f"attachment {attachment_id} belongs to {where}, not to case {case_id}"
        if row.uploaded_by_unit != actor.unit:
            return f"attachment {attachment_id} was uploaded by another unit"
        if row.attached_to is not None:
            return f"attachment {attachment_id} already belongs to a {row.attached_to}"
    return [AttachmentRef(id=i, sha256=rows[i].sha256) for i in ids]


async def _delete_objects(store: ObjectStore, rows: list[AttachmentRow]) -> None:
    for row in rows:
        await store.delete(object_key(row.id))
        if row.thumbnail_sha256 is not None:
            await store.delete(thumbnail_key(row.id))


async def erase_request_files(db: Database, store: ObjectStore, now: datetime, limit: int) -> int:
    """Delete up to ``limit`` files sent with requests of cases whose personal data is erased, and
    mark them erased; answer how many (0: none left)."""
    async with db.session() as session:
        rows = await attachments.request_files_to_erase(session, limit)
    await _delete_objects(store, rows)
    if rows:
        await db.write(lambda session: attachments.mark_erased(session, [r.id for r in rows], now))
    return len(rows)


async def take_unclaimed(db: Database, uploaded_before: datetime, now: datetime) -> None:
    """Mark the uploads no request named before ``uploaded_before`` for ``remove_unclaimed``."""
    await db.write(lambda session: attachments.mark_unclaimed(session, uploaded_before, now))


async def remove_unclaimed(db: Database, store: ObjectStore, limit: int) -> int:
    """Delete up to ``limit`` marked unclaimed uploads, from the store and then their rows; answer
    how many (0: none left)."""
    async with db.session() as session:
        rows = await attachments.unclaimed_taken(session, limit)
    await _delete_objects(store, rows)
    if rows:
        await db.write(lambda session: attachments.remove(session, [r.id for r in rows]))
    return len(rows)
