"""A month of cases in the database, and the monthly assessment run on it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlmodel import Session
from temporalio.client import Client

from activities.assessment import MonthAssessed
from domain.assessment import MonthlyAssessmentInput
from minsheng.settings import Settings
from persistence.db import Database
from persistence.models import (
    CallbackRow,
    CaseEventRow,
    CaseRow,
    RequestRow,
    SlipRow,
    SummonsRow,
)
from tests.helpers import SHANGHAI, record_history
from workflows.assessment import MonthlyAssessmentWorkflow

DAY = date(2026, 10, 20)


BEFORE = DAY - timedelta(days=1)


AFTER = DAY + timedelta(days=5)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def _case(
    case_id: str,
    unit: str,
    deadline: date,
    replied: date | None,
    on_time: bool | None,
    closed: date | None,
    callback_round: int = 1,
) -> CaseRow:
    return CaseRow(
        id=case_id,
        status="closed" if closed else "accepted",
        channel="hotline_12345",
        tier="yellow",
        unit_code=unit,
        domain_code="labour",
        matter_type_code="wage_arrears",
        received_at=at(deadline - timedelta(days=3)),
        updated_at=at(DAY),
        deadline_at=at(deadline, 18),
        replied_at=at(replied) if replied else None,
        on_time=on_time,
        handling_working_days=1 if replied else None,
        closed_at=at(closed, 16) if closed else None,
        callback_round=callback_round,
    )


def _request(request_id: str, case_id: str) -> RequestRow:
    return RequestRow(
        id=request_id,
        case_id=case_id,
        channel="hotline_12345",
        channel_ref=request_id,
        citizen_name="张三",
        citizen_phone="13800000000",
        content="拖欠工资",
        address="崖头街道",
        town_code="yatou",
        received_at=at(DAY - timedelta(days=5)),
        intake_key_id="k_test",
    )


def _answer(
    case_id: str, request_id: str, answer: str, round_: int = 1, attempt: int = 1, final: bool = True
) -> CallbackRow:
    return CallbackRow(
        case_id=case_id,
        request_id=request_id,
        round=round_,
        attempt=attempt,
        status="answered",
        answer=answer,
        final=final,
        created_at=at(DAY),
        answered_at=at(DAY, 15),
    )


def _event(
    case_id: str, seq: int, kind: str, day: date = DAY, unit: str | None = None, to: str | None = None
) -> CaseEventRow:
    return CaseEventRow(
        case_id=case_id,
        seq=seq,
        at=at(day, 9),
        kind=kind,
        status=kind,
        actor_role="unit" if unit else "system",
        actor_unit=unit,
        detail={"unit": to} if to else {},
    )


MONTH = "2026-10"


def known_rows() -> list[object]:
    """October 2026 (Asia/Shanghai), with the figures each unit should get (see the first test)."""
    cases = [
        _case("C1", "yatou", DAY, DAY, True, DAY),
        _case("C2", "yatou", DAY, DAY, False, DAY),
        _case("C3", "yatou", AFTER, DAY, True, DAY, callback_round=2),  # reopened once
        _case("C4", "yatou", DAY, None, None, None),  # due, not replied
        _case("C5", "chengxi", DAY, DAY, True, DAY),
        _case("C6", "chengxi", AFTER, None, None, None),  # returned by yatou, now with chengxi
        _case("C7", "chengxi", BEFORE, BEFORE, True, BEFORE),
        _case("C8", "ningjin", DAY, DAY, True, DAY),  # two towns that did everything right
        _case("C9", "gangwan", DAY, DAY, True, DAY),
    ]
    requests = [
        _request(r, c)
        for r, c in (
            ("R1", "C1"),
            ("R2a", "C2"),
            ("R2b", "C2"),
            ("R3", "C3"),
            ("R4", "C4"),
            ("R5", "C5"),
            ("R6", "C6"),
            ("R7", "C7"),
            ("R8", "C8"),
            ("R9", "C9"),
        )
    ]
    callbacks = [
        _answer("C1", "R1", "satisfied"),
        _answer("C2", "R2a", "basically_satisfied"),
        _answer("C2", "R2b", "unreachable", attempt=1, final=False),
        _answer("C2", "R2b", "unreachable", attempt=2),
        _answer("C3", "R3", "dissatisfied"),  # round 1: reopened the case, superseded
        _answer("C3", "R3", "satisfied", round_=2),
        _answer("C5", "R5", "dissatisfied"),
        _answer("C7", "R7", "satisfied"),
        _answer("C8", "R8", "satisfied"),
        _answer("C9", "R9", "satisfied"),
    ]
    events = [
        *(_event(c, 2, "dispatched", to="yatou") for c in ("C1", "C2", "C3", "C4", "C6")),
        _event("C5", 2, "dispatched", to="chengxi"),
        _event("C6", 5, "dispatched", to="chengxi"),
        _event("C7", 2, "dispatched", BEFORE, to="chengxi"),
        *(_event(c, 4, "accepted", unit="yatou") for c in ("C1", "C2", "C4")),
        _event("C6", 4, "returned", unit="yatou"),
        _event("C6", 6, "accepted", unit="chengxi"),
        _event("C5", 4, "accepted", unit="chengxi"),
        _event("C7", 4, "accepted", BEFORE, unit="chengxi"),
        _event("C8", 2, "dispatched", to="ningjin"),
        _event("C8", 4, "accepted", unit="ningjin"),
        _event("C9", 2, "dispatched", to="gangwan"),
        _event("C9", 4, "accepted", unit="gangwan"),
    ]
    summonses = [
        SummonsRow(
            case_id="C2",
            summons_id="S1",
            lead_unit="yatou",
            unit="hrss_bureau",
            task="核实",
            reason="劳动",
            whistled_at=at(DAY, 8),
            status="responded",
            responded_at=at(DAY, 9),
            speed=5,
            quality=4,
            rated_at=at(DAY, 11),
        ),
        SummonsRow(
            case_id="C2",
            summons_id="S2",
            lead_unit="yatou",
            unit="urban_management_bureau",
            task="核实",
            reason="城管",
            whistled_at=at(DAY, 8),
            status="released",
        ),
    ]
    slips = [
        SlipRow(
            case_id="C4",
            unit_code="yatou",
            round=1,
            kind="reminder",
            trigger="reminder_point",
            reason="过半",
            due_at=at(DAY, 18),
            issued_at=at(DAY, 12),
        ),
        SlipRow(
            case_id="C4",
            unit_code="yatou",
            round=1,
            kind="supervision",
            trigger="deadline",
            reason="超期",
            due_at=at(DAY, 18),
            issued_at=at(DAY, 18),
        ),
    ]
    return [*cases, *requests, *callbacks, *events, *summonses, *slips]


async def load(db: Database, rows: list[object]) -> None:
    def work(session: Session) -> None:
        for group in (CaseRow, RequestRow, CallbackRow, CaseEventRow, SummonsRow, SlipRow):
            session.add_all([r for r in rows if isinstance(r, group)])
            session.flush()

    await db.write(work)


async def run_assessment(
    client: Client, settings: Settings, inp: MonthlyAssessmentInput, record_as: str = ""
) -> list[MonthAssessed]:

    workflow_id = f"assessment-test-{uuid.uuid4().hex[:8]}"
    result = await client.execute_workflow(
        MonthlyAssessmentWorkflow.run, inp, id=workflow_id, task_queue=settings.task_queue
    )
    if record_as:
        await record_history(client, workflow_id, record_as)
    return result
