"""The city-wide notice of a typical inaction case (典型不作为问题的通报), in Chinese, as Markdown and
PDF (``reports.documents``): the case's timeline (what happened when, and which unit), the deadlines
it missed with the slips they brought, and the leader's reason."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from domain.assessment import NoticePolicy
from domain.inaction import CaseStep, missed_deadlines
from reports.documents import (
    Block,
    Heading,
    NoticeDocument,
    Paragraph,
    Signature,
    Table,
    Title,
    format_date,
    month_name,
    render_markdown,
    render_pdf,
)

STEP_NAME = {
    "received": "受理诉求",
    "classified": "分类",
    "dispatched": "派单",
    "deadlines": "确定办理时限",
    "accepted": "签收",
    "returned": "退办",
    "tier_changed": "调整等级",
    "extension_requested": "申请延期",
    "extension_approved": "批准延期",
    "extension_refused": "不予延期",
    "slip": "下发督办单据",
    "summoned": "吹哨",
    "response_deadline": "确定报到时限",
    "responded": "报到",
    "declined": "拒绝报到",
    "decline_upheld": "认可拒绝报到",
    "decline_overruled": "驳回拒绝报到",
    "rated": "评价报到",
    "refused": "操作未获准许",
    "replied": "办结",
    "callbacks_planned": "安排回访",
    "callback": "回访",
    "reopened": "重办",
    "request_joined": "并入诉求",
    "request_split": "拆分诉求",
    "request_moved": "诉求移出",
    "merged": "并案",
    "closed": "结案",
}
SLIP_NAME = {"reminder": "提示单", "supervision": "督办单", "warning": "警示单"}
TRIGGER_NAME = {
    "acceptance": "未按时签收",
    "reminder_point": "超过提醒时点仍未办结",
    "deadline": "超过办理时限仍未办结",
    "warning_grace": "超过办理时限宽限期仍未办结",
}
TIER_NAME = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色", "green": "绿色"}


class InactionNoticeInput(BaseModel):
    case_id: str
    unit: str
    unit_name: str
    month: str
    """The assessment month it counts in."""
    reason: str
    marked_at: datetime
    issued_on: date
    tier: str | None
    matter_type: str | None
    """The matter type's Chinese name."""
    steps: tuple[CaseStep, ...]
    unit_names: dict[str, str]
    """Unit codes to Chinese names, for the timeline."""
    zone: str
    policy: NoticePolicy


def notice_key(month: str, unit: str, case_id: str) -> str:
    return f"{month}:{unit}:typical_inaction:{case_id}"


def _when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _what(step: CaseStep, inp: InactionNoticeInput, zone: ZoneInfo) -> str:
    d, names = step.detail, inp.unit_names
    match step.kind:
        case "dispatched":
            return f"派至{names.get(d.get('unit', ''), d.get('unit', ''))}，{TIER_NAME.get(d.get('tier', ''), '')}等级"
        case "deadlines":
            return f"应于{_when(datetime.fromisoformat(d['due_at']), zone)}前办结" if "due_at" in d else ""
        case "slip":
            return f"{TRIGGER_NAME.get(d.get('trigger', ''), '未按时报到')}，下发{SLIP_NAME.get(d.get('kind', ''), '')}"
        case "returned" | "extension_requested" | "tier_changed" | "declined":
            return d.get("reason", "")
        case "replied":
            return d.get("result", "")
    return ""


def _blocks(inp: InactionNoticeInput) -> tuple[str, list[Block]]:
    zone, names = ZoneInfo(inp.zone), inp.unit_names
    title = f"关于{inp.unit_name}典型不作为问题的通报"
    steps = sorted(inp.steps, key=lambda s: s.seq)
    received = steps[0].at if steps else inp.marked_at
    missed = missed_deadlines(inp.steps)
    of_unit = [m for m in missed if m.unit == inp.unit]
    slips = "、".join(f"{SLIP_NAME.get(k, k)}{n}张" for k in SLIP_NAME if (n := sum(m.slip == k for m in of_unit)))
    blocks: list[Block] = [
        Title(title),
        Paragraph(f"{inp.policy.recipients}：", indent=False),
        Paragraph(
            f"{_when(received, zone)}，市社会治理服务中心受理群众诉求（案件编号{inp.case_id}"
            + (f"，{inp.matter_type}" if inp.matter_type else "")
            + (f"，{TIER_NAME.get(inp.tier, inp.tier)}等级" if inp.tier else "")
            + f"），由{inp.unit_name}承办。"
            + (f"办理中{inp.unit_name}被下发{slips}。" if slips else "")
            + f"经市领导审定，该案列为典型不作为问题，现予全市通报，并在{month_name(inp.month)}月度考核中扣分。"
        ),
        Heading("一、办理经过"),
        Table(
            header=("时间", "环节", "单位", "情况"),
            rows=tuple(
                (
                    _when(s.at, zone),
                    STEP_NAME.get(s.kind, s.kind),
                    names.get(s.detail.get("unit") or s.actor_unit or "", "市社会治理服务中心"),
                    _what(s, inp, zone),
                )
                for s in steps
            ),
        ),
        Heading("二、未按时限办理情况"),
    ]
    if missed:
        blocks.append(
            Table(
                header=("单位", "未按时限情形", "时限", "督办单据", "下发时间"),
                rows=tuple(
                    (
                        names.get(m.unit, m.unit),
                        TRIGGER_NAME.get(m.trigger, "未按时报到"),
                        _when(m.due_at, zone) if m.due_at else "—",
                        SLIP_NAME.get(m.slip, m.slip),
                        _when(m.at, zone),
                    )
                    for m in missed
                ),
            )
        )
    else:
        blocks.append(Paragraph("未下发督办单据。"))
    blocks += [
        Heading("三、认定理由"),
        Paragraph(inp.reason),
        Heading("四、工作要求"),
        Paragraph(
            f"请{inp.unit_name}深刻剖析问题根源，逐项落实整改，于收到本通报之日起{inp.policy.rectify_within_working_days}"
            f"个工作日内将整改情况书面报送{inp.policy.issuer}。各单位要引以为戒，举一反三，杜绝类似问题发生。"
        ),
        Signature((inp.policy.issuer, format_date(inp.issued_on))),
        Paragraph(f"（典型不作为通报　编号：{notice_key(inp.month, inp.unit, inp.case_id)}）", indent=False),
    ]
    return title, blocks


def render_inaction_notice(inp: InactionNoticeInput) -> NoticeDocument:
    title, blocks = _blocks(inp)
    return NoticeDocument(
        key=notice_key(inp.month, inp.unit, inp.case_id),
        title=title,
        filename=f"{inp.month}-{inp.unit}-typical-inaction-{inp.case_id}",
        issued_on=inp.issued_on,
        markdown=render_markdown(blocks),
        pdf=render_pdf(title, blocks, inp.issued_on),
    )
