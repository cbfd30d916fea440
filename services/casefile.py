"""The case file (卷宗): one document per case for an auditor or a court, in HTML and PDF: the
requests, the classification and why, dispatches, deadlines and slips, summonses and ratings,
replies, callback visits, merges and splits, attachments, the whole timeline, and the result of
verifying it (its hash chain, its anchors, its agreement with the workflow history) printed on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from domain.timeline import KIND_NAMES, STATUS_NAMES, SUMMONS_STATUS_NAMES, local_time, local_times
from persistence import attachments, cases
from persistence.cases import CaseFile
from persistence.db import Database
from persistence.models import AttachmentRow, CaseEventRow, MergeCorrectionRow, SlipRow
from reports.documents import Block, Heading, Paragraph, Signature, Table, Title, render_html, render_pdf
from services.archive import ARCHIVE, TEMPORAL
from services.audit import HistoryLookup, Verification, verify


@dataclass(frozen=True)
class CaseFileInput:
    file: CaseFile
    slips: list[SlipRow]
    corrections: list[MergeCorrectionRow]
    attachments: list[AttachmentRow]
    verification: Verification
    history_source: str
    """Where the history the timeline was checked against came from (Temporal, the archive), or ""."""
    zone: ZoneInfo
    made_at: datetime


def _actor(e: CaseEventRow) -> str:
    return " ".join(p for p in (e.actor_role, e.actor_unit, e.actor_key_id, e.actor_person) if p)


def _kept(attachment: AttachmentRow, zone: ZoneInfo) -> str:
    """Whether the file's bytes are still stored: a citizen's file is erased with the personal data."""
    if attachment.erased_at is None:
        return "在存"
    return f"已删除（保存期满）{attachment.erased_at.astimezone(zone):%Y-%m-%d}"


def _detail(detail: dict[str, str], zone: ZoneInfo) -> str:
    return "； ".join(f"{k}: {local_times(v, zone)}" for k, v in detail.items())


def _table(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> Block:
    return Table(header, rows) if rows else Paragraph("无。")


def case_file_blocks(inp: CaseFileInput) -> tuple[str, list[Block]]:
    f, zone, c = inp.file, inp.zone, inp.file.case
    title = f"民生诉求案卷 {c.id}"
    blocks: list[Block] = [Title(title), Heading("一、基本情况")]
    blocks.append(
        _table(
            ("项目", "内容"),
            (
                ("案件编号", c.id),
                ("状态", STATUS_NAMES.get(c.status, c.status)),
                ("渠道", c.channel),
                ("受理时间", local_time(c.received_at, zone)),
                ("承办单位", c.unit_code or "—"),
                ("领域 / 事项", f"{c.domain_code or '—'} / {c.matter_type_code or '—'}"),
                ("等级", c.tier or "—"),
                ("单位办理期限", local_time(c.deadline_at, zone)),
                ("市民期限", local_time(c.citizen_due_at, zone)),
                ("答复时间", local_time(c.replied_at, zone)),
                ("办结时间", local_time(c.closed_at, zone)),
                ("回访结果", c.outcome or "—"),
                ("重办次数", str(c.reopened)),
                (
                    "个人信息",
                    f"已于{local_time(c.personal_data_erased_at, zone)}按保存期限删除"
                    if c.personal_data_erased_at
                    else "保存中",
                ),
            ),
        )
    )
    blocks += [Heading("二、诉求")]
    blocks.append(
        _table(
            ("编号", "时间", "渠道", "市民", "电话", "地址", "内容"),
            tuple(
                (
                    r.id,
                    local_time(r.received_at, zone),
                    r.channel,
                    r.citizen_name,
                    r.citizen_phone,
                    r.address,
                    r.content,
                )
                for r in f.requests
            ),
        )
    )
    blocks.append(Heading("三、分类及理由"))
    classified = [e for e in f.events if e.kind == "classified"]
    for e in classified:
        d = e.detail
        blocks.append(
            Paragraph(
                f"{local_time(e.at, zone)} 分类为 {d.get('domain', '—')} / {d.get('matter_type', '—')}，等级 {d.get('tier', '—')}，"
                f"置信度 {d.get('confidence', '—')}，处理：{d.get('outcome', '—')}。理由：{d.get('reason', '—')}"
            )
        )
    if not classified:
        blocks.append(Paragraph("无分类记录。"))
    blocks.append(Heading("四、派单、签收、答复与期限"))
    steps = [
        e for e in f.events if e.kind in ("dispatched", "accepted", "returned", "replied", "deadlines", "reopened")
    ]
    blocks.append(
        _table(
            ("时间", "事项", "经办", "说明"),
            tuple(
                (local_time(e.at, zone), KIND_NAMES.get(e.kind, e.kind), _actor(e), _detail(e.detail, zone))
                for e in steps
            ),
        )
    )
    blocks.append(Heading("五、督办（提示单、督办单、预警单）"))
    blocks.append(
        _table(
            ("轮次", "种类", "触发", "单位", "到期", "下发时间", "事由"),
            tuple(
                (
                    str(s.round),
                    s.kind,
                    s.trigger,
                    s.unit_code,
                    local_time(s.due_at, zone),
                    local_time(s.issued_at, zone),
                    s.reason,
                )
                for s in inp.slips
            ),
        )
    )
    blocks.append(Heading("六、吹哨报到与评价"))
    blocks.append(
        _table(
            ("单位", "任务", "状态", "报到", "评价（速度 / 质量）", "说明"),
            tuple(
                (
                    s.unit,
                    s.task,
                    SUMMONS_STATUS_NAMES.get(s.status, s.status),
                    local_time(s.responded_at, zone),
                    f"{s.speed or '—'} / {s.quality or '—'}",
                    s.report or s.decline_reason or s.rating_comment or "",
                )
                for s in f.summonses
            ),
        )
    )
    blocks.append(Heading("七、回访"))
    blocks.append(
        _table(
            ("轮次", "次数", "诉求", "状态", "结果", "时间", "备注"),
            tuple(
                (
                    str(cb.round),
                    str(cb.attempt),
                    cb.request_id,
                    cb.status,
                    cb.answer or "—",
                    local_time(cb.answered_at, zone),
                    cb.note or "",
                )
                for cb in f.callbacks
            ),
        )
    )
    blocks.append(Heading("八、合并与拆分"))
    blocks.append(
        _table(
            ("时间", "种类", "诉求", "自", "至", "理由"),
            tuple(
                (local_time(m.at, zone), m.kind, m.request_id, m.from_case_id, m.to_case_id, m.reason)
                for m in inp.corrections
            ),
        )
    )
    blocks.append(Heading("九、附件"))
    blocks.append(
        _table(
            ("编号", "文件", "属于", "类型", "大小（字节）", "SHA-256", "保存"),
            tuple(
                (a.id, a.filename, a.attached_to or "", a.content_type, str(a.size), a.sha256, _kept(a, zone))
                for a in inp.attachments
            ),
        )
    )
    blocks.append(Heading("十、办理全程记录"))
    blocks.append(
        _table(
            ("序号", "时间", "事项", "经办", "说明"),
            tuple(
                (str(e.seq), local_time(e.at, zone), KIND_NAMES.get(e.kind, e.kind), _actor(e), _detail(e.detail, zone))
                for e in f.events
            ),
        )
    )
    blocks += [Heading("十一、核验结果"), *_verification(inp)]
    blocks.append(Signature(("民生诉求办理系统生成", local_time(inp.made_at, zone))))
    return title, blocks


def _verification(inp: CaseFileInput) -> list[Block]:
    v, events = inp.verification, inp.file.events
    head = events[-1].hash if events else None
    where = {TEMPORAL: "Temporal", ARCHIVE: "归档"}.get(inp.history_source, inp.history_source)
    against = f"与{where}中的流程历史一致" if inp.history_source else "未能与流程历史比对"
    lines: list[Block]
    if v.ok:
        lines = [
            Paragraph(
                f"核验通过：办理记录共{v.events}条，哈希链完整，{against}，已封存的链头（{v.anchors}个锚点）未被改动。"
            ),
        ]
    else:
        lines = [Paragraph(f"核验未通过：发现{len(v.findings)}处问题。")]
        lines += [Paragraph(str(finding), indent=False) for finding in v.findings]
    lines.append(Paragraph(f"链头哈希：{head or '—'}", indent=False))
    return lines


@dataclass(frozen=True)
class CaseFileDocument:
    title: str
    html: str
    pdf: bytes


def render_case_file(inp: CaseFileInput) -> CaseFileDocument:
    title, blocks = case_file_blocks(inp)
    made_on = inp.made_at.astimezone(inp.zone).date()
    return CaseFileDocument(title, render_html(title, blocks, made_on), render_pdf(title, blocks, made_on))


async def make_case_file(
    db: Database,
    case_id: str,
    histories: HistoryLookup,
    converter: DataConverter,
    zone: ZoneInfo,
) -> CaseFileDocument | None:
    """The case's file as it stands, verified now against its history; None for no such case."""
    async with db.session() as session:
        file = await cases.get_case(session, case_id)
        if file is None:
            return None
        slips = await cases.case_slips(session, case_id)
        corrections = await cases.case_corrections(session, case_id)
        files = await attachments.of_case(session, case_id)
    source = ""

    async def remembered(cid: str) -> tuple[str, list[WorkflowHistory]]:
        nonlocal source
        source, runs = await histories(cid)
        return source, runs

    verification = await verify(db, case_id=case_id, histories=remembered, converter=converter)
    return render_case_file(
        CaseFileInput(file, slips, corrections, files, verification, source, zone, datetime.now(UTC))
    )
