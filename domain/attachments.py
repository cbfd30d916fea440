"""Attachments (``config/attachments.yaml``): photos, audio and documents a citizen sends with a
request, a unit with its reply (proof of handling), a summoned unit with its response. What a file
is comes from its first bytes, never from its name or the client's content type; each kind allows
the types and the size the city configures. Who may see a file is its visibility."""

from __future__ import annotations

import codecs
import io
import json
import re
import unicodedata
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.case.model import Actor, Role
from domain.reference import parse_yaml


class AttachmentKind(StrEnum):
    image = "image"
    audio = "audio"
    document = "document"


class Visibility(StrEnum):
    case = "case"
    """Everyone who may read the case: the centre's roles, the unit it is assigned to and the units
    summoned to it."""
    centre = "centre"
    """The centre's roles and the uploading unit only (a citizen's identity papers; a unit's file
    meant for the centre, not for the other units on the case)."""


class AttachedTo(StrEnum):
    request = "request"
    reply = "reply"
    response = "response"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KNOWN_TYPES: dict[str, AttachmentKind] = {
    "image/jpeg": AttachmentKind.image,
    "image/png": AttachmentKind.image,
    "image/webp": AttachmentKind.image,
    "image/heic": AttachmentKind.image,
    "image/gif": AttachmentKind.image,
    "audio/mpeg": AttachmentKind.audio,
    "audio/mp4": AttachmentKind.audio,
    "audio/amr": AttachmentKind.audio,
    "audio/wav": AttachmentKind.audio,
    "audio/ogg": AttachmentKind.audio,
    "application/pdf": AttachmentKind.document,
    DOCX: AttachmentKind.document,
}
"""Every type ``sniff`` tells apart, and its kind. A city allows a subset (GIF is known, so that its
refusal names it, and allowed by no default)."""

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
_M4A_BRANDS = (b"M4A ", b"M4B ")


def _is_mp3(data: bytes) -> bool:
    # An ID3 tag, or an MPEG audio frame header (11 sync bits, layer not "reserved").
    return data.startswith(b"ID3") or (
        len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 != 0
    )


def _is_docx(data: bytes) -> bool:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def sniff(data: bytes) -> str | None:
    """The type of ``data`` by its content (magic bytes), one of ``KNOWN_TYPES``, or None."""
    head = data[:16]
    brand = head[8:12] if head[4:8] == b"ftyp" else b""
    riff = head[8:12] if head.startswith(b"RIFF") else b""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if riff == b"WEBP":
        return "image/webp"
    if brand in _HEIF_BRANDS:
        return "image/heic"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if brand in _M4A_BRANDS:
        return "audio/mp4"
    if head.startswith((b"#!AMR\n", b"#!AMR-WB\n")):
        return "audio/amr"
    if riff == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    if _is_mp3(data):
        return "audio/mpeg"
    return None


def _is_text(data: bytes) -> bool:
    """UTF-8 text without control characters (beyond tabs and line ends) in its first 1024 bytes."""
    try:
        head = codecs.getincrementaldecoder("utf-8")().decode(data[:1024])  # a character cut off may end it
    except UnicodeDecodeError:
        return False
    return not any((c < " " and c not in "\t\n\r\f") or c == "\x7f" for c in head)


def describe(data: bytes) -> str:
    """What a refused file looks like, for the message: its sniffed type, text (a text file renamed
    as a picture), or its first bytes."""
    return sniff(data) or ("text/plain" if _is_text(data) else f"unknown content (first bytes {data[:8].hex(' ')})")


MIB = 1024 * 1024


class KindLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    types: list[str] = Field(description="content types allowed, as sniffed")
    max_mib: float = Field(gt=0, le=1024)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mib * MIB)


class AttachmentPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kinds: dict[AttachmentKind, KindLimits]
    per_request: int = Field(default=9, ge=0, le=50)
    """Files with one request at intake."""
    per_action: int = Field(default=9, ge=0, le=50)
    """Files with one reply or one whistle response."""
    per_case: int = Field(default=50, ge=1, le=1000)
    """Files uploaded to one case by its units (the requests' own count apart)."""
    thumbnail_px: int = Field(default=320, ge=32, le=2048)
    max_megapixels: float = Field(default=50, gt=0, le=500)
    """A larger picture is refused before it is decoded (a "decompression bomb" is a few KB)."""

    @model_validator(mode="after")
    def _types_known_and_of_their_kind(self) -> Self:
        for kind, limits in self.kinds.items():
            for type_ in limits.types:
                if type_ not in KNOWN_TYPES:
                    raise ValueError(f"kinds.{kind}: unknown type {type_!r}; the known types are {sorted(KNOWN_TYPES)}")
                if KNOWN_TYPES[type_] is not kind:
                    raise ValueError(f"kinds.{kind}: {type_} is of kind {KNOWN_TYPES[type_]}")
        return self

    @property
    def largest(self) -> int:
        """The most bytes any upload may have: a longer body is cut off there."""
        return max((limits.max_bytes for limits in self.kinds.values()), default=0)

    @property
    def largest_body(self) -> int:
        """The most bytes any call may send: a reply's form with its files, and the form's words."""
        return self.per_action * self.largest + MIB

    def allowed(self) -> list[str]:
        return [t for limits in self.kinds.values() for t in limits.types]

    def refusal(self, sniffed: str | None, size: int, described: str) -> tuple[int, str] | None:
        """Why a file of ``size`` bytes sniffed as ``sniffed`` is refused, as (HTTP status, message);
        None if it is taken."""
        if size == 0:
            return 422, "the file is empty"
        kind = KNOWN_TYPES.get(sniffed or "")
        limits = self.kinds.get(kind) if kind else None
        if sniffed is None or kind is None or limits is None or sniffed not in limits.types:
            return 415, f"the file is {described}, which is not allowed; allowed: {', '.join(self.allowed())}"
        if size > limits.max_bytes:
            return (
                413,
                f"the file is {size} bytes; a {kind} may be at most {limits.max_mib:g} MiB ({limits.max_bytes} bytes)",
            )
        return None


def load_attachment_policy(path: Path) -> AttachmentPolicy:
    return parse_yaml(AttachmentPolicy, path)


def may_see(visibility: Visibility, uploaded_by_unit: str | None, reader: Actor) -> bool:
    """Whether ``reader``, who may read the case, may see an attachment of it."""
    return visibility is Visibility.case or reader.role is not Role.unit or reader.unit == uploaded_by_unit


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str | None, fallback: str) -> str:
    """The client's file name as it may be shown and offered back: the last path part, no control
    or path characters, at most 120 characters (its extension kept); ``fallback`` if nothing is left."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    cleaned = _UNSAFE.sub("_", base).strip(" ._")
    if len(cleaned) > 120:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: 119 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else cleaned[:120]
    return cleaned or fallback


EVENT_ATTACHES = {"replied": AttachedTo.reply, "responded": AttachedTo.response, "declined": AttachedTo.response}


def files_of_event(kind: str, detail: dict[str, str]) -> tuple[AttachedTo, list[str]] | None:
    """The files a timeline event takes (its ``attachments`` detail), and as what; None if none."""
    files = detail.get("attachments")
    if kind not in EVENT_ATTACHES or not files:
        return None
    return EVENT_ATTACHES[kind], [f["id"] for f in json.loads(files)]
