"""The notice documents' shared machinery: the document model (title, headings, paragraphs,
tables, signature), one model feeding the renderers, Markdown, HTML and PDF, so that both always say the
same thing; and the stored document with its version status.

The PDF is printed from the HTML by WeasyPrint, set in Noto Serif CJK SC (Debian's fonts-noto-cjk),
the subset the document uses embedded: a reader needs no font, and Latin letters are set in their
own proportional forms. Output is deterministic: the same blocks and issue date give the same
bytes (the creation date is the issue date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from html import escape

from pydantic import BaseModel, ConfigDict
from weasyprint import HTML


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


# ---- HTML, and PDF from it ----

FONT_FAMILY = "Noto Serif CJK SC"
"""The font the documents are set in (Debian's fonts-noto-cjk, found through fontconfig). WeasyPrint
embeds the subset of it a document uses, so a reader needs no font of its own."""

CSS = f"""
@page {{
  size: A4; margin: 22mm 22mm 20mm;
  @bottom-center {{ content: "第 " counter(page) " 页  共 " counter(pages) " 页"; font-size: 9pt; }}
}}
body {{ font-family: "{FONT_FAMILY}", serif; font-size: 12pt; line-height: 1.7; }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 0.8em; }}
h2 {{ font-size: 14pt; margin: 1.2em 0 0.3em; }}
p {{ margin: 0; }}
p.indent {{ text-indent: 2em; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5em 0; font-size: 10.5pt; line-height: 1.45; }}
th, td {{ border: 0.6pt solid #000; padding: 3pt 4pt; vertical-align: top; text-align: left; }}
td {{ overflow-wrap: break-word; }}
th {{ font-weight: bold; white-space: nowrap; }}
tr {{ page-break-inside: avoid; }}
.signature {{ text-align: right; margin-top: 1.2em; padding-right: 2em; }}
"""


def render_html(title: str, blocks: list[Block], issued_on: date) -> str:
    """The blocks as one HTML page (what the PDF is printed from)."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f'<meta name="dcterms.created" content="{issued_on.isoformat()}">',
        f'<meta name="dcterms.modified" content="{issued_on.isoformat()}">',
        '<meta name="generator" content="Minsheng">',
        f"<style>{CSS}</style></head><body>",
    ]
    for b in blocks:
        match b:
            case Title(text):
                out.append(f"<h1>{escape(text)}</h1>")
            case Heading(text):
                out.append(f"<h2>{escape(text)}</h2>")
            case Paragraph(text, indent):
                out.append(f"<p{' class="indent"' if indent else ''}>{escape(text)}</p>")
            case Table(header, rows):
                head = "".join(f"<th>{escape(h)}</th>" for h in header)
                body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
            case Signature(lines):
                out.append('<div class="signature">' + "<br>".join(escape(line) for line in lines) + "</div>")
    out.append("</body></html>")
    return "\n".join(out)


def render_pdf(title: str, blocks: list[Block], issued_on: date) -> bytes:
    """The HTML printed by WeasyPrint, the font's subset embedded; the same blocks and issue date
    give the same bytes (the dates in it are the issue date's)."""
    return html_to_pdf(render_html(title, blocks, issued_on))


def html_to_pdf(html: str) -> bytes:
    pdf: bytes = HTML(string=html).write_pdf(pdf_identifier=b"minsheng")
    return pdf
