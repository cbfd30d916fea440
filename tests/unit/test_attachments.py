"""Attachments without a server: what a file is by its content, the city's limits, and a picture
re-encoded without its metadata, upright, with its thumbnail."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pillow_heif
import pytest
from PIL import Image

from domain.attachments import DOCX, AttachmentPolicy, load_attachment_policy, safe_filename, sniff
from domain.reference import ReferenceDataError
from services.attachments import Refused, prepare
from tests.helpers import GPS, MAKE, ROOT, photo

POLICY = load_attachment_policy(ROOT / "config" / "attachments.yaml")


def test_a_phone_photo_is_stored_without_its_metadata_and_upright_with_a_thumbnail() -> None:
    original = photo(orientation=6)  # the camera was turned: shown rotated 90° clockwise
    with Image.open(io.BytesIO(original)) as before:
        assert GPS in before.getexif() and before.getexif()[MAKE] == "Huawei"

    stored = prepare(original, POLICY)

    assert (stored.content_type, stored.sniffed_type, stored.kind) == ("image/jpeg", "image/jpeg", "image")
    for secret in (b"Huawei", b"P60", b"Exif", b"xmpmeta", b"shot at home"):
        assert secret not in stored.content
    with Image.open(io.BytesIO(stored.content)) as after:
        assert not after.getexif() and "icc_profile" not in after.info and "xmp" not in after.info
        assert after.size == (20, 40)  # upright: the turn applied, the orientation tag gone
        assert after.getpixel((10, 5))[0] > 200 and after.getpixel((10, 35))[2] > 200  # red on top, blue below
    assert stored.thumbnail is not None
    with Image.open(io.BytesIO(stored.thumbnail)) as small:
        assert small.format == "JPEG" and max(small.size) <= POLICY.thumbnail_px and not small.getexif()


def test_png_webp_and_heic_lose_their_metadata_too_and_heic_becomes_jpeg() -> None:
    pillow_heif.register_heif_opener()
    for fmt, sniffed, stored_type in (
        ("PNG", "image/png", "image/png"),
        ("WEBP", "image/webp", "image/webp"),
        ("HEIF", "image/heic", "image/jpeg"),
    ):
        original = photo(fmt=fmt)
        assert sniff(original) == sniffed
        stored = prepare(original, POLICY)
        assert (stored.sniffed_type, stored.content_type) == (sniffed, stored_type)
        assert b"Huawei" not in stored.content and b"xmpmeta" not in stored.content
        with Image.open(io.BytesIO(stored.content)) as after:
            assert not after.getexif()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("photo.exe", "MZ")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"ID3\x04\x00" + bytes(20), "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + bytes(20), "audio/mpeg"),
        (b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00", "audio/mp4"),
        (b"#!AMR\n" + bytes(10), "audio/amr"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02" + bytes(10), "audio/ogg"),
        (b"GIF89a" + bytes(10), "image/gif"),
        (_docx(), DOCX),
        (_zip(), None),
        (b"MZ\x90\x00 a program", None),
        (b"<html><script>", None),
    ],
)
def test_a_file_is_what_its_content_says(data: bytes, expected: str | None) -> None:
    assert sniff(data) == expected


def test_bad_files_are_refused_naming_the_problem() -> None:
    def refusal(data: bytes, policy: AttachmentPolicy = POLICY) -> tuple[int, str]:
        with pytest.raises(Refused) as refused:
            prepare(data, policy)
        return refused.value.status, refused.value.message

    assert refusal(b"") == (422, "the file is empty")
    status, message = refusal(b"GIF89a" + bytes(10))
    assert status == 415 and "image/gif, which is not allowed" in message
    status, message = refusal(b"MZ\x90\x00 a program")
    assert status == 415 and "unknown content (first bytes 4d 5a 90 00" in message
    status, message = refusal("现场情况说明\n".encode())  # a note renamed .jpg
    assert status == 415 and message.startswith("the file is text/plain, which is not allowed")
    status, message = refusal(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert status == 422 and "starts as image/jpeg but cannot be read" in message
    small = POLICY.model_copy(update={"max_megapixels": 0.0001})  # 100 pixels
    assert refusal(photo(), small) == (422, "the picture is 40×20 pixels, more than 0.0001 megapixels")
    tight = AttachmentPolicy.model_validate(
        POLICY.model_dump() | {"kinds": {"document": {"types": ["application/pdf"], "max_mib": 0.00001}}}
    )
    status, message = refusal(b"%PDF-1.7" + bytes(100), tight)
    assert status == 413 and "a document may be at most 1e-05 MiB (10 bytes)" in message


def test_a_city_cannot_allow_a_type_under_the_wrong_kind_or_one_not_known(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"kinds.audio: image/png is of kind image"):
        AttachmentPolicy.model_validate({"kinds": {"audio": {"types": ["image/png"], "max_mib": 1}}})
    path = tmp_path / "attachments.yaml"
    path.write_text("kinds:\n  image:\n    types: [image/bmp]\n    max_mib: 1\n")
    with pytest.raises(ReferenceDataError, match="unknown type 'image/bmp'"):
        load_attachment_policy(path)


def test_a_file_name_is_cleaned_of_paths_and_control_characters() -> None:
    assert safe_filename("C:\\Users\\张三\\现场照片.jpg", "A1") == "现场照片.jpg"
    assert safe_filename("../../etc/passwd", "A1") == "passwd"
    assert safe_filename('a\x00b\r\n"<x>.pdf', "A1") == "a_b_x_.pdf"
    assert safe_filename("...", "A1") == "A1"
    assert safe_filename("x" * 300 + ".jpeg", "A1") == "x" * 115 + ".jpeg"
