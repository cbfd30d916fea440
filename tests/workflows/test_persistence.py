"""The read model on SQLite and PostgreSQL: migrations match the models, writes are idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from domain.case import SYSTEM, AcceptInput, Actor, CaseRequestRef, CaseState, DispatchInput, Role
from domain.reference import Tier
from persistence import callbacks, cases
from persistence.db import Database
from tests.helpers import wechat_case

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


async def test_the_migrations_build_exactly_the_models(db: Database) -> None:
    async with db.engine.connect() as connection:
        diff = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
        )
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


async def _case(db: Database) -> CaseState:
    return await wechat_case(db, T0)


async def test_a_retried_write_records_each_event_once(db: Database) -> None:
    state = await _case(db)
    received = state.receive(
        CaseRequestRef(
            request_id="R1", channel="wechat", content="拖欠工资", address="崖头", received_at=T0, actor=SYSTEM
        )
    )
    dispatched = state.dispatch(
        T0,
        DispatchInput(actor=SYSTEM, unit="hrss_bureau", domain="labour", matter_type="wage_arrears", tier=Tier.yellow),
    )
    for _ in range(3):
        await db.write(lambda s: cases.record_case_events(s, state, [received, dispatched], T0))
    file = await _file(db)
    assert [(e.seq, e.kind) for e in file.events] == [(1, "received"), (2, "dispatched")]
    assert file.case.status == "dispatched" and file.case.unit_code == "hrss_bureau"
    assert file.events[0].at == T0 and file.events[0].at.tzinfo is not None


async def test_a_late_write_never_rolls_a_case_back(db: Database) -> None:
    state = await _case(db)
    dispatch = DispatchInput(actor=SYSTEM, unit="yatou", domain="labour", matter_type="wage_arrears", tier=Tier.yellow)
    event = state.dispatch(T0, dispatch)
    dispatched = state.model_copy(deep=True)
    accepted = state.accept(T0, AcceptInput(actor=Actor(role=Role.unit, unit="yatou")))
    await db.write(lambda s: cases.record_case_events(s, state, [accepted], T0))
    # a retry that arrives after the next step
    await db.write(lambda s: cases.record_case_events(s, dispatched, [event], T0))
    file = await _file(db)
    assert file.case.status == "accepted" and file.case.seq == 2
    assert [e.kind for e in file.events] == ["dispatched", "accepted"]


async def test_callback_tasks_are_opened_once(db: Database) -> None:
    await _case(db)
    for _ in range(2):
        await db.write(lambda s: callbacks.open_callbacks(s, "C1", "hrss_bureau", ["R1"], 1, T0))
    assert [(c.request_id, c.status) for c in (await _file(db)).callbacks] == [("R1", "pending")]


async def _file(db: Database) -> cases.CaseFile:
    async with db.session() as session:
        file = await cases.get_case(session, "C1")
    assert file is not None
    return file
