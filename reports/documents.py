"""The notice documents' shared machinery: the document model (title, headings, paragraphs,
tables, signature), one model feeding two renderers, Markdown and PDF, so that both always say the
same thing; and the stored document with its version status.

The PDF is written here directly (a few hundred bytes of structure around text and rules): it uses
Adobe's predefined Chinese font STSong-Light with the UniGB-UCS2-H encoding, which PDF readers
supply themselves, so no font file is shipped, embedded or downloaded. A ToUnicode map makes the
text searchable and extractable. Output is deterministic: the same blocks and issue date give the
same bytes (the creation date is the issue date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class NoticeStatus(StrEnum):
    issued = "issued"
    corrected = "corrected"  # 更正
    withdrawn = "withdrawn"  # 撤销


class NoticeDocument(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")
    key: str
    """What it is about: an action's key (month, unit, step), or a typical inaction's (month, unit,
    typical_inaction, case)."""
    revision: int = 1
    status: NoticeStatus = NoticeStatus.issued
    title: str
    filename: str
    """Without extension: add ``.md`` or ``.pdf``."""
    issued_on: date
    markdown: str
    pdf: bytes


# ---- the document model ----


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    indent: bool = True


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Signature:
    lines: tuple[str, ...]


Block = Title | Heading | Paragraph | Table | Signature


def month_name(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def format_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ---- Markdown ----


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        match b:
            case Title(text):
                out.append(f"# {text}")
            case Heading(text):
                out.append(f"## {text}")
            case Paragraph(text, indent):
                out.append(("　　" if indent else "") + text)
            case Table(header, rows):
                lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + " --- |" * len(header)]
                lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
                out.append("\n".join(lines))
            case Signature(lines):
                out.append("\n".join(f'<div align="right">{line}</div>' for line in lines))
    return "\n\n".join(out) + "\n"


# ---- PDF ----

PAGE_W, PAGE_H, MARGIN = 595.28, 841.89, 64.0
BODY, TITLE, HEADING, TABLE = 12.0, 18.0, 14.0, 10.5
PAD = 4.0
_TOKENS = re.compile(r"[A-Za-z0-9.%:_+\-/]+|.", re.DOTALL)


def _em(ch: str) -> float:
    # STSong-Light: the Latin range (CIDs 1-95) is declared half width, everything else full width.
    return 0.5 if ord(ch) < 128 else 1.0


def _width(text: str, size: float) -> float:
    return size * sum(_em(ch) for ch in text)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines, line = [], ""
    for token in _TOKENS.findall(text):
        if line and _width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line]


def _hex(text: str) -> str:
    # UniGB-UCS2-H takes UCS-2 codes; anything beyond the BMP cannot be shown.
    return "".join(f"{ord(ch) if ord(ch) <= 0xFFFF else 0x3F:04X}" for ch in text)


class _Pages:
    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]
        self.y = PAGE_H - MARGIN

    def room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.pages.append([])
            self.y = PAGE_H - MARGIN

    def text(self, x: float, y: float, size: float, text: str, bold: bool = False) -> None:
        # Bold is fill and stroke (2 Tr) with a thin line, inside q … Q so that neither the mode nor
        # the width outlives it; normal text says 0 Tr (fill only) itself all the same.
        if bold:
            self.pages[-1].append(f"q BT /F1 {size:g} Tf 2 Tr 0.35 w {x:.2f} {y:.2f} Td <{_hex(text)}> Tj ET Q")
        else:
            self.pages[-1].append(f"BT /F1 {size:g} Tf 0 Tr {x:.2f} {y:.2f} Td <{_hex(text)}> Tj ET")

    def rule(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.pages[-1].append(f"q 0.6 w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S Q")


def _column_widths(natural: list[float], available: float) -> list[float]:
    """Narrow columns keep their natural width; the wide ones share what is left (water-filling)."""
    widths, remaining = [0.0] * len(natural), available
    order = sorted(range(len(natural)), key=lambda i: natural[i])
    for done, i in enumerate(order):
        widths[i] = min(natural[i], remaining / (len(natural) - done))
        remaining -= widths[i]
    used = sum(widths)
    return [w * available / used for w in widths] if used else widths


def _layout(blocks: list[Block]) -> list[list[str]]:
    pages, left, width = _Pages(), MARGIN, PAGE_W - 2 * MARGIN
    for b in blocks:
        match b:
            case Title(text):
                for line in _wrap(text, TITLE, width):
                    pages.room(TITLE * 1.6)
                    pages.y -= TITLE * 1.6
                    pages.text(left + (width - _width(line, TITLE)) / 2, pages.y, TITLE, line, bold=True)
                pages.y -= TITLE * 0.6
            case Heading(text):
                pages.room(HEADING * 2.2)
                pages.y -= HEADING * 2.0
                pages.text(left, pages.y, HEADING, text, bold=True)
                pages.y -= HEADING * 0.4
            case Paragraph(text, indent):
                for line in _wrap(("　　" if indent else "") + text, BODY, width):
                    pages.room(BODY * 1.7)
                    pages.y -= BODY * 1.7
                    pages.text(left, pages.y, BODY, line)
            case Table(header, rows):
                natural = [max(_width(r[i], TABLE) for r in (header, *rows)) + 2 * PAD for i in range(len(header))]
                widths = _column_widths(natural, width)
                lead = TABLE * 1.45
                pages.y -= 6
                for number, row in enumerate((header, *rows)):
                    cells = [_wrap(text, TABLE, w - 2 * PAD) for text, w in zip(row, widths, strict=True)]
                    height = max(len(c) for c in cells) * lead + 2 * PAD
                    pages.room(height)
                    top = pages.y
                    pages.rule(left, top, left + width, top)
                    x = left
                    for lines, w in zip(cells, widths, strict=True):
                        for k, line in enumerate(lines):
                            pages.text(x + PAD, top - PAD - (k + 1) * lead + TABLE * 0.3, TABLE, line, bold=number == 0)
                        pages.rule(x, top, x, top - height)
                        x += w
                    pages.rule(left + width, top, left + width, top - height)
                    pages.y = top - height
                    pages.rule(left, pages.y, left + width, pages.y)
            case Signature(lines):
                pages.y -= BODY
                for line in lines:
                    pages.room(BODY * 1.7)
                    pages.y -= BODY * 1.7
                    pages.text(left + width - _width(line, BODY) - 2 * BODY, pages.y, BODY, line)
    total = len(pages.pages)
    for number, ops in enumerate(pages.pages, 1):
        footer = f"第 {number} 页  共 {total} 页"
        ops.append(
            f"BT /F1 9 Tf 0 Tr {(PAGE_W - _width(footer, 9)) / 2:.2f} {MARGIN / 2:.2f} Td <{_hex(footer)}> Tj ET"
        )
    return pages.pages


def _to_unicode(codes: list[int]) -> bytes:
    chunks = [codes[i : i + 100] for i in range(0, len(codes), 100)]
    body = "".join(
        f"{len(chunk)} beginbfchar\n" + "".join(f"<{c:04X}> <{c:04X}>\n" for c in chunk) + "endbfchar\n"
        for chunk in chunks
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{body}endcmap\nCMapName currentdict /CIDInit /ProcSet findresource /defineresource pop\nend\nend\n"
    ).encode("ascii")


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def render_pdf(title: str, blocks: list[Block], issued_on: date) -> bytes:
    pages = _layout(blocks)
    used = sorted(
        {ord(ch) if ord(ch) <= 0xFFFF else 0x3F for b in blocks for ch in _all_text(b)}
        | {ord(c) for c in "第页共 0123456789"}
    )
    stamp = f"D:{issued_on:%Y%m%d}000000+08'00'"
    first_page = 7
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 6 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        _stream(_to_unicode(used)),
    ]
    for i, ops in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>".encode()
        )
        objects.append(_stream("\n".join(ops).encode("ascii")))
    info_number = len(objects) + 1
    objects.append(
        f"<< /Title <FEFF{_hex(title)}> /Producer (Minsheng) /CreationDate ({stamp}) /ModDate ({stamp}) >>".encode()
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        info_number,
        xref,
    )
    return bytes(out)


def _all_text(block: Block) -> str:
    match block:
        case Title(text) | Heading(text) | Paragraph(text):
            return text + "　"
        case Table(header, rows):
            return "".join(header) + "".join("".join(r) for r in rows)
        case Signature(lines):
            return "".join(lines)
