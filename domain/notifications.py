"""Who is told of what (``config/notifications.yaml``): for each kind of notification in the outbox
(the three slips, the accountability notices, a typical inaction notice) the recipients, by role.

The defaults follow the Rongcheng report: slips go to the unit, and their situation is "reported to
the city's Party committee and government and pushed to the discipline commission for the record"
(相关情况报市委、市政府，推送纪委监委备案); a typical inaction case is notified city-wide
(全市通报). The rest is ours: see the file's comments.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.reference import parse_yaml


class NotificationKind(StrEnum):
    reminder = "reminder"  # 提示单
    supervision = "supervision"  # 督办单
    warning = "warning"  # 警示单
    public_notice = "public_notice"  # 通报批评
    interview = "interview"  # 约谈
    discipline_referral = "discipline_referral"  # 纪委监委介入
    typical_inaction = "typical_inaction"  # 典型不作为通报
    target_breach = "target_breach"  # 目标预警: a rate fell below its target (config/targets.yaml)


class Recipient(StrEnum):
    """A recipient by role; ``address`` turns it into the outbox's recipient for a unit."""

    unit = "unit"
    """The responsible unit (its code)."""
    unit_leader = "unit_leader"
    """The unit's head (主要负责人): ``<unit>:leader``."""
    centre = "centre"
    """The Social Governance Service Centre (社会治理服务中心) itself."""
    city_leadership = "city_leadership"
    """The city's Party committee and government (市委、市政府)."""
    discipline_commission = "discipline_commission"
    """The discipline inspection and supervision commission's record (纪委监委备案)."""


def address(recipient: Recipient, unit: str) -> str:
    """The outbox's recipient: a unit code, ``<unit>:leader``, or the role's own name."""
    if recipient is Recipient.unit:
        return unit
    if recipient is Recipient.unit_leader:
        return f"{unit}:leader"
    return recipient.value


Recipients = tuple[Recipient, ...]
_BOARD = (Recipient.unit, Recipient.city_leadership, Recipient.discipline_commission)


class NotificationPolicy(BaseModel):
    """The ``recipients`` of ``config/notifications.yaml``: a kind left out keeps its default; a kind
    listed has at least one recipient, none twice."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    reminder: Recipients = (Recipient.unit,)
    supervision: Recipients = _BOARD
    warning: Recipients = _BOARD
    public_notice: Recipients = (Recipient.unit, Recipient.city_leadership)
    interview: Recipients = (Recipient.unit, Recipient.city_leadership)
    discipline_referral: Recipients = _BOARD
    typical_inaction: Recipients = (
        Recipient.unit,
        Recipient.unit_leader,
        Recipient.city_leadership,
        Recipient.discipline_commission,
    )
    target_breach: Recipients = (Recipient.unit, Recipient.centre, Recipient.city_leadership)
    """For the city's own breach, the unit's recipients are left out."""

    @field_validator(*NotificationKind.__members__, mode="after")
    @classmethod
    def _some_and_once(cls, recipients: Recipients) -> Recipients:
        if not recipients:
            raise ValueError("list at least one recipient")
        twice = sorted({r.value for r in recipients if recipients.count(r) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed twice")
        return recipients

    def recipients(self, kind: NotificationKind | str, unit: str) -> list[str]:
        """The outbox recipients of a notification of ``kind`` about ``unit``, in the order listed."""
        return [address(r, unit) for r in getattr(self, NotificationKind(kind).value)]


DEFAULT_NOTIFICATIONS = NotificationPolicy()
"""The report's recipients, as shipped in ``config/notifications.yaml``."""


class _NotificationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    recipients: NotificationPolicy = Field(default_factory=NotificationPolicy)


def load_notification_policy(path: Path) -> NotificationPolicy:
    return parse_yaml(_NotificationsFile, path).recipients
