"""Typical inaction (典型不作为): a case a leader marks, with a reason, to be notified city-wide
(全市通报, the Rongcheng report: "先后对6个典型不作为问题进行了全市通报") and counted against its
unit in the month's assessment (``config/assessment.yaml``, ``inaction``).

The rules here are pure: which unit and month a marking counts in, when a case cannot be marked,
and what the notice says was missed (from the case's timeline)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict


class InactionRefused(Exception):
    """The case cannot be marked: the reason says why (an HTTP 409)."""


class CaseStep(BaseModel):
    """One timeline event of the case, as the read model holds it."""

    model_config = ConfigDict(frozen=True)
    seq: int
    at: datetime
    kind: str
    actor_role: str
    actor_unit: str | None = None
    detail: dict[str, str] = {}


class Missed(BaseModel):
    """A deadline the unit missed, shown by the slip it brought."""

    model_config = ConfigDict(frozen=True)
    at: datetime
    """When the slip was issued."""
    unit: str
    slip: str
    """reminder, supervision or warning."""
    trigger: str
    """acceptance, reminder_point, deadline, warning_grace, or a whistle's missed response."""
    due_at: datetime | None


def month_counted(marked_at: datetime, zone: ZoneInfo) -> str:
    """The assessment month a marking counts in: the month it was made in, in the city's zone. Fixed
    when it is made, so that a re-run of an earlier month never takes it in."""
    return marked_at.astimezone(zone).strftime("%Y-%m")


def unit_held(case_unit: str | None, already_marked: bool) -> str:
    """The unit a marking counts against: the case's unit when it is marked. A case that never
    reached a unit, or that is marked already, cannot be marked."""
    if already_marked:
        raise InactionRefused("the case is marked as typical inaction already; a case counts once")
    if case_unit is None:
        raise InactionRefused("the case was never dispatched to a unit, so no unit's inaction can be marked")
    return case_unit


def missed_deadlines(steps: tuple[CaseStep, ...]) -> tuple[Missed, ...]:
    """Every slip in the timeline, oldest first: each is a deadline (or reminder point) a unit let pass."""
    return tuple(
        Missed(
            at=s.at,
            unit=s.detail.get("unit", ""),
            slip=s.detail.get("kind", ""),
            trigger=s.detail.get("trigger", ""),
            due_at=datetime.fromisoformat(s.detail["due_at"]) if s.detail.get("due_at") else None,
        )
        for s in sorted(steps, key=lambda s: s.seq)
        if s.kind == "slip"
    )
