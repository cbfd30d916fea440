"""How the timeline reads to people: the Chinese names of its event kinds (docs/case.md, "The
timeline") and of the statuses of cases and summonses, as the case file and the console show them,
and times on the city's clock rather than in UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.case.model import CaseStatus

KIND_NAMES = {
    "received": "受理",
    "classified": "分类",
    "citizen_clock": "市民期限",
    "dispatched": "派单",
    "deadlines": "办理期限",
    "accepted": "签收",
    "return_requested": "申请退单",
    "return_deadline": "退单审核期限",
    "return_refused": "退单未获同意",
    "returned": "退单",
    "tier_changed": "调整等级",
    "extension_requested": "申请延期",
    "extension_approved": "同意延期",
    "extension_refused": "不同意延期",
    "slip": "督办",
    "summoned": "吹哨",
    "response_deadline": "报到期限",
    "responded": "报到",
    "declined": "拒绝报到",
    "decline_upheld": "维持拒绝",
    "decline_overruled": "驳回拒绝",
    "rated": "评价",
    "refused": "操作未执行",
    "replied": "答复",
    "callbacks_planned": "安排回访",
    "callback": "回访",
    "no_callback": "无需回访",
    "reopened": "重办",
    "request_joined": "并入诉求",
    "request_split": "拆出诉求",
    "request_moved": "诉求移出",
    "merged": "合并",
    "closed": "办结",
}
"""Every kind of timeline event a case records, and its name."""

STATUS_NAMES: dict[str, str] = {
    CaseStatus.starting: "待启动",
    CaseStatus.received: "待派单",
    CaseStatus.dispatched: "已派单",
    CaseStatus.accepted: "办理中",
    CaseStatus.returned: "已退回",
    CaseStatus.replied: "已答复",
    CaseStatus.closed: "已办结",
    CaseStatus.merged: "已合并",
}
"""A case's statuses."""

SUMMONS_STATUS_NAMES = {"summoned": "待报到", "responded": "已报到", "declined": "拒绝报到", "released": "已解除"}
"""A summons's statuses (``Summons.status``)."""


def local_time(at: datetime | None, zone: ZoneInfo) -> str:
    """``at`` as the city's clock reads it (to the minute); a dash for none."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if at else "—"


def local_times(value: str, zone: ZoneInfo) -> str:
    """An event's detail value, the times in it (ISO, in UTC; one or a comma-separated list) as the
    city's clock reads them; any other value as it is."""
    try:
        return (
            ",".join(local_time(datetime.fromisoformat(v), zone) for v in value.split(",")) if "T" in value else value
        )
    except ValueError:
        return value
