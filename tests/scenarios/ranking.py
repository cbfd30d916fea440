"""A day of cases in the database, and the daily ranking run on it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlmodel import Session
from temporalio.client import Client

from domain.indicators import RankingInput
from minsheng.settings import Settings
from persistence.db import Database
from persistence.models import CallbackRow, CaseEventRow, CaseRow, RequestRow, SlipRow, SummonsRow
from tests.helpers import SHANGHAI, record_history
from workflows.ranking import DailyRankingWorkflow

DAY = date(2026, 11, 20)  # a Friday


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


BEFORE = DAY - timedelta(days=1)


AFTER = DAY + timedelta(days=5)


def _case(
    case_id: str,
    unit: str,
    deadline: date,
    replied: date | None,
    on_time: bool | None,
    days: int | None,
    closed: date | None,
    callback_round: int = 1,
) -> CaseRow:
    return CaseRow(
        id=case_id,
        status="closed" if closed else "accepted",
        channel="hotline_12345",
        tier="yellow",
        unit_code=unit,
        received_at=at(deadline - timedelta(days=3)),
        updated_at=at(DAY),
        deadline_at=at(deadline, 18),
        replied_at=at(replied) if replied else None,
        on_time=on_time,
        handling_working_days=days,
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


def _decision(case_id: str, seq: int, kind: str, unit: str, day: date = DAY) -> CaseEventRow:
    return CaseEventRow(
        case_id=case_id, seq=seq, at=at(day, 9), kind=kind, status="accepted", actor_role="unit", actor_unit=unit
    )


def known_rows() -> list[object]:
    """Day 2026-11-20 (Asia/Shanghai), with the figures each unit should get (see the test)."""
    cases = [
        _case("C1", "yatou", DAY, DAY, True, 1, DAY),
        _case("C2", "yatou", DAY, DAY, False, 3, DAY),
        _case("C3", "yatou", AFTER, DAY, True, 2, DAY, callback_round=2),  # reopened once
        _case("C4", "yatou", DAY, None, None, None, None),  # due, not replied
        _case("C5", "chengxi", DAY, DAY, True, 1, DAY),
        _case("C6", "chengxi", AFTER, None, None, None, None),  # returned by yatou, now with chengxi
        _case("C7", "chengxi", BEFORE, BEFORE, True, 1, BEFORE),  # the day before: month only
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
    ]
    events = [
        _decision("C1", 4, "accepted", "yatou"),
        _decision("C2", 4, "accepted", "yatou"),
        _decision("C4", 4, "accepted", "yatou"),
        _decision("C6", 4, "returned", "yatou"),
        _decision("C6", 6, "accepted", "chengxi"),
        _decision("C5", 4, "accepted", "chengxi"),
        _decision("C7", 4, "accepted", "chengxi", BEFORE),
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
    return [*cases, *requests, *callbacks, *events, *summonses]


async def load(db: Database, rows: list[object]) -> None:
    def work(session: Session) -> None:
        for group in (CaseRow, RequestRow, CallbackRow, CaseEventRow, SummonsRow, SlipRow):
            session.add_all([r for r in rows if isinstance(r, group)])
            session.flush()

    await db.write(work)


async def run_ranking(client: Client, settings: Settings, inp: RankingInput, record_as: str = "") -> list[date]:
    workflow_id = f"ranking-{uuid.uuid4().hex[:8]}"
    result = await client.execute_workflow(
        DailyRankingWorkflow.run, inp, id=workflow_id, task_queue=settings.task_queue
    )
    if record_as:
        await record_history(client, workflow_id, record_as)
    return [r.day for r in result]
