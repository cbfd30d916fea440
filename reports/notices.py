"""Notice documents for accountability actions (通报批评 / 约谈通知 / 纪委监委移送函), in Chinese,
as Markdown and as PDF, ready to circulate.

One document model feeds both renderers, so the two always say the same thing. The PDF is written
here directly (a few hundred bytes of structure around text and rules): it uses Adobe's predefined
Chinese font STSong-Light with the UniGB-UCS2-H encoding, which PDF readers supply themselves, so
no font file is shipped, embedded or downloaded. A ToUnicode map makes the text searchable and
extractable. Output is deterministic: the same action, policy, revision and issue date give the
same bytes (the creation date is the issue date).

Versions: an action's first notice is revision 1. A re-run after a data correction that changes the
action issues a new revision marked 更正 (correction), naming the version it replaces and its date;
an action the re-run no longer finds gets a 撤销 (withdrawal) notice as its last revision. Every
version is kept as circulated, dated the day it was issued.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.accountability import STEP_NAME, AccountabilityAction, Step
from domain.assessment import AssessmentPolicy, ReasonCode, month_after
from domain.reference import UnitKind

KIND_NAME = {UnitKind.town: "镇街", UnitKind.department: "部门"}
REASON_NAME = {
    ReasonCode.standard: "基础分",
    ReasonCode.below_baseline: "低于基准线",
    ReasonCode.within_band: "基准线至奖分线",
    ReasonCode.above_bonus_line: "高于奖分线",
    ReasonCode.case_volume: "案件量",
    ReasonCode.whistle_ratings: "吹哨报到评价",
    ReasonCode.supervision_slips: "督办单据",
    ReasonCode.capped_at_full_marks: "满分封顶",
    ReasonCode.floored_at_zero: "零分保底",
    ReasonCode.not_assessed: "不参加考核",
}


class NoticeStatus(StrEnum):
    issued = "issued"
    corrected = "corrected"  # 更正
    withdrawn = "withdrawn"  # 撤销


class NoticeInput(BaseModel):
    action: AccountabilityAction
    policy: AssessmentPolicy
    """The policy the action's month was assessed under (``MonthlyAssessment.policy``)."""
    revision: int = Field(default=1, ge=1)
    issued_on: date | None = None
    """The day this version is issued; default the first day of the month after the assessed one."""
    replaces: date | None = None
    """For a correction (revision > 1): the issue date of the version it replaces."""


class WithdrawalInput(BaseModel):
    action: AccountabilityAction
    """The action as last circulated."""
    policy: AssessmentPolicy
    revision: int = Field(ge=2)
    issued_on: date
    replaces: date
    """The issue date of the version withdrawn."""


class NoticeDocument(BaseModel):
    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")
    key: str
    """The action's key: month, unit, step."""
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
class _Title:
    text: str


@dataclass(frozen=True)
class _Heading:
    text: str


@dataclass(frozen=True)
class _Paragraph:
    text: str
    indent: bool = True


@dataclass(frozen=True)
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class _Signature:
    lines: tuple[str, ...]


_Block = _Title | _Heading | _Paragraph | _Table | _Signature


def _month_name(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:7])}月"


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def _signed(points: Decimal) -> str:
    return f"+{points}" if points > 0 else str(points)


_TITLES = {
    Step.public_notice: "关于对{name}{month}民生诉求办理工作予以通报批评的通报",
    Step.interview: "关于约谈{name}主要负责人的通知",
    Step.discipline_referral: "关于将{name}民生诉求办理问题移交市纪委监委的函",
}


def _date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _number(a: AccountabilityAction, revision: int) -> _Paragraph:
    return _Paragraph(f"（{STEP_NAME[a.step]}　编号：{a.key}　第{revision}版）", indent=False)


def _blocks(inp: NoticeInput, issued_on: date) -> tuple[str, list[_Block]]:
    a, policy, full_marks, bottom = (
        inp.action,
        inp.policy.notices,
        inp.policy.full_marks,
        inp.policy.accountability.bottom,
    )
    u = a.assessment
    kind, month = KIND_NAME[a.kind], _month_name(a.month)
    title = _TITLES[a.step].format(name=a.name, month=month)
    if inp.revision > 1:
        title += "（更正）"
    standing = (
        f"{month}，全市共有{u.assessed_in_kind}个{kind}参加民生诉求办理月度考核。{a.name}（{u.group_name}）"
        f"月度考核得分{u.score}分（满分{full_marks}分），在{kind}中列第{u.rank}名，处于后{bottom}名"
    )
    if a.step is Step.public_notice:
        opening, closing = (
            f"{standing}，现予以通报批评。",
            f"请{a.name}认真查找问题根源，逐件落实整改，于收到本通报之日起"
            f"{policy.rectify_within_working_days}个工作日内将整改情况书面报送{policy.issuer}。",
        )
    elif a.step is Step.interview:
        opening, closing = (
            f"{standing}，已连续{a.streak}个月处于{kind}后{bottom}名。根据民生诉求办理月度考核办法，"
            f"由分管市领导约谈{a.name}主要负责人。",
            f"请{a.name}主要负责人按约定时间参加约谈，并于约谈前提交书面整改报告，说明问题原因、整改措施和完成时限。",
        )
    else:
        opening, closing = (
            f"{standing}，已连续{a.streak}个月处于{kind}后{bottom}名。根据民生诉求办理月度考核办法，"
            f"现将有关情况移交市纪委监委。",
            "请市纪委监委依规依纪依法处理，并将处理结果反馈本中心。",
        )
    c = u.indicators.counts
    figures = _Table(
        header=("项目", "数值"),
        rows=(
            ("考核分组", u.group_name),
            ("案件量", f"{u.cases}件"),
            (
                "满意率",
                f"{_percent(u.indicators.satisfaction_rate)}（满意{c.satisfied}、基本满意{c.basically_satisfied}、"
                f"不满意{c.dissatisfied}，未接通{c.unreachable}）",
            ),
            ("结案率", f"{_percent(u.indicators.closure_rate)}（到期{c.due}件，办结{c.closed_by_end}件）"),
            ("退办率", f"{_percent(u.indicators.return_rate)}（签收{c.accepted}件，退办{c.returned}件）"),
            ("按时办结率", f"{_percent(u.indicators.on_time_rate)}（办结{c.replied}件，按时{c.on_time}件）"),
            ("绩效得分", f"{u.performance}"),
            ("月度考核得分", f"{u.score}分（满分{full_marks}分）"),
            ("排名", f"第{u.rank}名（共{u.assessed_in_kind}个{kind}）"),
        ),
    )
    reasons = _Table(
        header=("得分项", "分值", "说明"),
        rows=tuple((REASON_NAME[r.code], _signed(r.points), r.text) for r in u.reasons),
    )
    blocks: list[_Block] = [
        _Title(title),
        _Paragraph(f"{policy.recipients if a.step is Step.public_notice else a.name}：", indent=False),
    ]
    if inp.revision > 1:
        replaced = f"{_date(inp.replaces)}印发的" if inp.replaces else ""
        blocks.append(
            _Paragraph(
                f"【更正】经数据更正后重新考核，本件更正{replaced}同号文件（第{inp.revision - 1}版），原件作废，以本件为准。"
            )
        )
    blocks += [
        _Paragraph(opening),
        _Heading("一、本月考核情况"),
        figures,
        _Heading("二、得分明细"),
        reasons,
    ]
    next_section = "三"
    if a.streak > 1:
        blocks += [
            _Heading(f"三、连续处于后{bottom}名情况"),
            _Table(
                header=("月份", "考核分组", "得分", "排名"),
                rows=tuple(
                    (_month_name(e.month), e.group_name, f"{e.score}", f"{e.rank}/{e.assessed_in_kind}")
                    for e in a.evidence
                ),
            ),
        ]
        next_section = "四"
    blocks += [
        _Heading(f"{next_section}、{'整改要求' if a.step is Step.public_notice else '处理意见'}"),
        _Paragraph(closing),
        _Signature((policy.issuer, _date(issued_on))),
        _number(a, inp.revision),
    ]
    return title, blocks


def _withdrawal_blocks(inp: WithdrawalInput) -> tuple[str, list[_Block]]:
    a, policy = inp.action, inp.policy
    kind, month = KIND_NAME[a.kind], _month_name(a.month)
    original = _TITLES[a.step].format(name=a.name, month=month)
    title = f"关于撤销《{original}》的通知"
    recipients = policy.notices.recipients if a.step is Step.public_notice else a.name
    blocks: list[_Block] = [
        _Title(title),
        _Paragraph(f"{recipients}：", indent=False),
        _Paragraph(
            f"【撤销】经数据更正后重新考核，{a.name}{month}民生诉求办理月度考核结果已不符合{kind}"
            f"后{policy.accountability.bottom}名{STEP_NAME[a.step]}的条件。{_date(inp.replaces)}印发的《{original}》"
            f"（编号：{a.key}，第{inp.revision - 1}版）予以撤销，不再执行。"
        ),
        _Paragraph("重新考核的结果以市民生诉求办理月度考核系统公布的为准。"),
        _Signature((policy.notices.issuer, _date(inp.issued_on))),
        _number(a, inp.revision),
    ]
    return title, blocks


# ---- Markdown ----


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(blocks: list[_Block]) -> str:
    out: list[str] = []
    for b in blocks:
        match b:
            case _Title(text):
                out.append(f"# {text}")
            case _Heading(text):
                out.append(f"## {text}")
            case _Paragraph(text, indent):
                out.append(("　　" if indent else "") + text)
            case _Table(header, rows):
                lines = ["| " + " | ".join(map(_cell, header)) + " |", "|" + " --- |" * len(header)]
                lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
                out.append("\n".join(lines))
            case _Signature(lines):
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


def _layout(blocks: list[_Block]) -> list[list[str]]:
    pages, left, width = _Pages(), MARGIN, PAGE_W - 2 * MARGIN
    for b in blocks:
        match b:
            case _Title(text):
                for line in _wrap(text, TITLE, width):
                    pages.room(TITLE * 1.6)
                    pages.y -= TITLE * 1.6
                    pages.text(left + (width - _width(line, TITLE)) / 2, pages.y, TITLE, line, bold=True)
                pages.y -= TITLE * 0.6
            case _Heading(text):
                pages.room(HEADING * 2.2)
                pages.y -= HEADING * 2.0
                pages.text(left, pages.y, HEADING, text, bold=True)
                pages.y -= HEADING * 0.4
            case _Paragraph(text, indent):
                for line in _wrap(("　　" if indent else "") + text, BODY, width):
                    pages.room(BODY * 1.7)
                    pages.y -= BODY * 1.7
                    pages.text(left, pages.y, BODY, line)
            case _Table(header, rows):
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
            case _Signature(lines):
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


def _pdf(title: str, blocks: list[_Block], issued_on: date) -> bytes:
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


def _all_text(block: _Block) -> str:
    match block:
        case _Title(text) | _Heading(text) | _Paragraph(text):
            return text + "　"
        case _Table(header, rows):
            return "".join(header) + "".join("".join(r) for r in rows)
        case _Signature(lines):
            return "".join(lines)


def render_notice(inp: NoticeInput) -> NoticeDocument:
    a = inp.action
    issued_on = inp.issued_on or date.fromisoformat(f"{month_after(a.month)}-01")
    title, blocks = _blocks(inp, issued_on)
    return NoticeDocument(
        key=a.key,
        revision=inp.revision,
        status=NoticeStatus.corrected if inp.revision > 1 else NoticeStatus.issued,
        title=title,
        filename=f"{a.month}-{a.unit}-{a.step}" + (f"-r{inp.revision}" if inp.revision > 1 else ""),
        issued_on=issued_on,
        markdown=_markdown(blocks),
        pdf=_pdf(title, blocks, issued_on),
    )


def render_withdrawal(inp: WithdrawalInput) -> NoticeDocument:
    """The 撤销 notice of an action a re-run no longer finds: the last version of its notice."""
    a = inp.action
    title, blocks = _withdrawal_blocks(inp)
    return NoticeDocument(
        key=a.key,
        revision=inp.revision,
        status=NoticeStatus.withdrawn,
        title=title,
        filename=f"{a.month}-{a.unit}-{a.step}-r{inp.revision}-withdrawn",
        issued_on=inp.issued_on,
        markdown=_markdown(blocks),
        pdf=_pdf(title, blocks, inp.issued_on),
    )
