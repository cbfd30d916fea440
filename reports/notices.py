"""Notice documents for accountability actions (通报批评 / 约谈通知 / 纪委监委移送函), in Chinese,
as Markdown and as PDF, ready to circulate; the document model and both renderers are in
``reports.documents``.

Versions: an action's first notice is revision 1. A re-run after a data correction that changes the
action issues a new revision marked 更正 (correction), naming the version it replaces and its date;
an action the re-run no longer finds gets a 撤销 (withdrawal) notice as its last revision. Every
version is kept as circulated, dated the day it was issued.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.accountability import STEP_NAME, AccountabilityAction, Step
from domain.assessment import AssessmentPolicy, ReasonCode, month_after
from domain.reference import UnitKind
from reports.documents import (
    Block,
    Heading,
    NoticeDocument,
    NoticeStatus,
    Paragraph,
    Signature,
    Table,
    Title,
    format_date,
    month_name,
    render_markdown,
    render_pdf,
)

__all__ = ["NoticeDocument", "NoticeInput", "NoticeStatus", "WithdrawalInput", "render_notice", "render_withdrawal"]

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
    ReasonCode.typical_inaction: "典型不作为",
}


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


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.2f}%"


def _signed(points: Decimal) -> str:
    return f"+{points}" if points > 0 else str(points)


_TITLES = {
    Step.public_notice: "关于对{name}{month}民生诉求办理工作予以通报批评的通报",
    Step.interview: "关于约谈{name}主要负责人的通知",
    Step.discipline_referral: "关于将{name}民生诉求办理问题移交市纪委监委的函",
}


def _number(a: AccountabilityAction, revision: int) -> Paragraph:
    return Paragraph(f"（{STEP_NAME[a.step]}　编号：{a.key}　第{revision}版）", indent=False)


def _blocks(inp: NoticeInput, issued_on: date) -> tuple[str, list[Block]]:
    a, policy, full_marks, bottom = (
        inp.action,
        inp.policy.notices,
        inp.policy.full_marks,
        inp.policy.accountability.bottom,
    )
    u = a.assessment
    kind, month = KIND_NAME[a.kind], month_name(a.month)
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
    figures = Table(
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
    reasons = Table(
        header=("得分项", "分值", "说明"),
        rows=tuple((REASON_NAME[r.code], _signed(r.points), r.text) for r in u.reasons),
    )
    blocks: list[Block] = [
        Title(title),
        Paragraph(f"{policy.recipients if a.step is Step.public_notice else a.name}：", indent=False),
    ]
    if inp.revision > 1:
        replaced = f"{format_date(inp.replaces)}印发的" if inp.replaces else ""
        blocks.append(
            Paragraph(
                f"【更正】经数据更正后重新考核，本件更正{replaced}同号文件（第{inp.revision - 1}版），原件作废，以本件为准。"
            )
        )
    blocks += [
        Paragraph(opening),
        Heading("一、本月考核情况"),
        figures,
        Heading("二、得分明细"),
        reasons,
    ]
    next_section = "三"
    if a.streak > 1:
        blocks += [
            Heading(f"三、连续处于后{bottom}名情况"),
            Table(
                header=("月份", "考核分组", "得分", "排名"),
                rows=tuple(
                    (month_name(e.month), e.group_name, f"{e.score}", f"{e.rank}/{e.assessed_in_kind}")
                    for e in a.evidence
                ),
            ),
        ]
        next_section = "四"
    blocks += [
        Heading(f"{next_section}、{'整改要求' if a.step is Step.public_notice else '处理意见'}"),
        Paragraph(closing),
        Signature((policy.issuer, format_date(issued_on))),
        _number(a, inp.revision),
    ]
    return title, blocks


def _withdrawal_blocks(inp: WithdrawalInput) -> tuple[str, list[Block]]:
    a, policy = inp.action, inp.policy
    kind, month = KIND_NAME[a.kind], month_name(a.month)
    original = _TITLES[a.step].format(name=a.name, month=month)
    title = f"关于撤销《{original}》的通知"
    recipients = policy.notices.recipients if a.step is Step.public_notice else a.name
    blocks: list[Block] = [
        Title(title),
        Paragraph(f"{recipients}：", indent=False),
        Paragraph(
            f"【撤销】经数据更正后重新考核，{a.name}{month}民生诉求办理月度考核结果已不符合{kind}"
            f"后{policy.accountability.bottom}名{STEP_NAME[a.step]}的条件。{format_date(inp.replaces)}印发的《{original}》"
            f"（编号：{a.key}，第{inp.revision - 1}版）予以撤销，不再执行。"
        ),
        Paragraph("重新考核的结果以市民生诉求办理月度考核系统公布的为准。"),
        Signature((policy.notices.issuer, format_date(inp.issued_on))),
        _number(a, inp.revision),
    ]
    return title, blocks


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
        markdown=render_markdown(blocks),
        pdf=render_pdf(title, blocks, issued_on),
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
        markdown=render_markdown(blocks),
        pdf=render_pdf(title, blocks, inp.issued_on),
    )
