"""The tables the benchmark loads, their columns, and the words and odds its cases are made of."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
"""The server, by its admin database; the benchmark's own database is created beside it."""


LIMIT_SECONDS = 5.0


DAY = 86400.0


HOUR = 3600.0


MINUTE = 60.0


CASE_COLUMNS = (
    "id",
    "status",
    "channel",
    "tier",
    "unit_code",
    "domain_code",
    "matter_type_code",
    "confidence",
    "received_at",
    "updated_at",
    "closed_at",
    "deadline_at",
    "seq",
    "deadline_provisional",
    "overdue",
    "replied_at",
    "on_time",
    "handling_working_days",
    "callback_round",
    "reopened",
    "outcome",
)


REQUEST_COLUMNS = (
    "id",
    "case_id",
    "channel",
    "channel_ref",
    "citizen_name",
    "citizen_phone",
    "content",
    "address",
    "lat",
    "lon",
    "grid",
    "category_hint",
    "reported_at",
    "received_at",
    "intake_key_id",
)


EVENT_COLUMNS = ("case_id", "seq", "at", "kind", "status", "actor_role", "actor_unit", "actor_key_id", "detail")


CALLBACK_COLUMNS = (
    "case_id",
    "request_id",
    "unit_code",
    "round",
    "attempt",
    "due_at",
    "gateway",
    "status",
    "final",
    "answer",
    "note",
    "created_at",
    "answered_at",
    "agent_key_id",
)


SUMMONS_COLUMNS = (
    "case_id",
    "summons_id",
    "lead_unit",
    "unit",
    "task",
    "reason",
    "whistled_at",
    "respond_by",
    "status",
    "responded_at",
    "report",
    "decline_reason",
    "ruling_note",
    "speed",
    "quality",
    "rating_comment",
    "rated_at",
    "seq",
)


TABLES = {
    "cases": CASE_COLUMNS,
    "requests": REQUEST_COLUMNS,
    "case_events": EVENT_COLUMNS,
    "callbacks": CALLBACK_COLUMNS,
    "summonses": SUMMONS_COLUMNS,
}
"""In the order they are loaded: every row's foreign keys point at rows loaded before it."""


FIRST_ROUND = (("satisfied", 0.845), ("basically_satisfied", 0.08), ("dissatisfied", 0.045), ("unreachable", 0.03))


SECOND_ROUND = (("satisfied", 0.6), ("basically_satisfied", 0.2), ("dissatisfied", 0.15), ("unreachable", 0.05))


CHANNEL_WEIGHTS = {"hotline_12345": 45, "minsheng_app": 12, "wechat": 10, "web_portal": 6, "grid_worker": 6}


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志海波辉鹏飞"


COMPLAINTS = (
    "楼道里的路灯坏了半个月，晚上出入很不方便，老人孩子容易摔倒，希望尽快维修。",
    "小区门口的下水道堵塞，污水漫到路面，气味很大，已经影响到周边商户营业。",
    "附近工地夜间施工噪音很大，经常到凌晨还在作业，严重影响居民休息。",
    "公司拖欠工资三个月了，多次找老板都说没钱，希望有关部门帮忙协调。",
    "村里的道路年久失修，坑洼不平，雨天积水严重，车辆和行人通行困难。",
    "供暖开始后家里温度一直不达标，室内只有十五度左右，联系物业也没有解决。",
    "路边有人长期占道经营，堵塞交通，还留下大量垃圾，希望城管部门处理。",
    "孩子入学的事情咨询了几次都没有明确答复，请教育部门给个说法。",
)


REPLIES = (
    "已安排人员现场核实并处理完毕，已向市民反馈。",
    "经协调，相关单位已整改到位，后续将加强巡查。",
    "已约谈责任方，限期整改，并向市民解释了政策依据。",
)


RETURN_REASONS = ("该事项不属于本单位职责范围，请重新派发。", "地址不在本辖区，请派发至属地镇街。")


SUMMONS_TASKS = ("配合现场执法，核查违规行为", "提供相关审批资料并参与协调", "派员到场联合处置")


SUMMONS_REPORT = "已派员到场，配合完成现场处置。"


DECLINE = "该事项不在本单位职责范围内。"


KEEPS_STATUS = frozenset(
    {
        "classified",
        "deadlines",
        "request_joined",
        "summoned",
        "response_deadline",
        "responded",
        "declined",
        "decline_upheld",
        "rated",
        "callbacks_planned",
        "callback",
    }
)
"""Events that leave the case's status as it was (the event records the status it found)."""


SUMMONS_EVENTS = frozenset({"summoned", "response_deadline", "responded", "declined", "decline_upheld", "rated"})


def json_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Loaded:
    """What one chunk of cases came to, table by table."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=lambda: {t: [] for t in TABLES})


def weighted_table(weighted: list[tuple[Any, float]], size: int = 4096) -> list[Any]:
    """A lookup table for drawing from a weighted choice with one ``random()``."""
    total = sum(w for _, w in weighted)
    table: list[Any] = []
    for value, w in weighted:
        table.extend([value] * max(1, round(size * w / total)))
    return table


def draw(table: list[Any], x: float) -> Any:
    return table[int(x * len(table))]


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def base32_id(n: int, multiplier: int) -> str:
    """Ten Crockford base32 characters, unique per ``n`` (an odd multiplier is a bijection mod 2⁵⁰)."""
    x = (n * (multiplier | 1)) & ((1 << 50) - 1)
    return "".join(ALPHABET[(x >> s) & 31] for s in range(45, -1, -5))


def worst_answer(answers: Any) -> str | None:
    found = set(answers)
    for answer in ("dissatisfied", "basically_satisfied", "satisfied", "unreachable"):
        if answer in found:
            return answer
    return None
