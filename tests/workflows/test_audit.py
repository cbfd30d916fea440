"""The tamper-evident timeline on SQLite and PostgreSQL: a case's events are chained as the worker
writes them; ``verify`` passes on an untouched record and names the case and row of an edit, a
deletion or an insertion, even one whose chain was rewritten to match (the workflow history and
the sealed anchors still disagree); the ledgers of the month's assessment and actions; the chain
of rows from before the migration."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from temporalio.testing import WorkflowEnvironment

from domain.audit import GENESIS, link
from domain.case import AcceptInput, Actor, Role
from gateways.storage import object_store
from minsheng.settings import Settings
from persistence import audit
from persistence.db import Database
from persistence.migrate import alembic_config
from persistence.models import MonthlyAssessmentRow
from services.archive import history_lookup
from services.audit import Verification, verify
from tests.helpers import handle, submit, wait_for_event, wait_for_status
from worker import build_worker

pytestmark = pytest.mark.timeout(90)

HRSS = Actor(role=Role.unit, unit="hrss_bureau", key_id="k_hrss")


async def _verify(env: WorkflowEnvironment, db: Database, settings: Settings, **where: object) -> Verification:
    return await verify(db, histories=history_lookup(env.client, db, object_store(settings)), **where)  # type: ignore[arg-type]


async def _sql(db: Database, statement: str, **params: object) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(sa.text(statement), params)


async def _accepted_case(env: WorkflowEnvironment, db: Database, settings: Settings) -> str:
    submitted = await submit(db, env.client, settings)
    await wait_for_status(db, submitted.case_id, "dispatched")
    await handle(env.client, submitted.case_id).execute_update("accept", AcceptInput(actor=HRSS, note="已签收"))
    await wait_for_event(db, submitted.case_id, "accepted")
    return submitted.case_id


async def test_an_edited_row_is_named_by_case_and_position_even_with_its_chain_rewritten(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    time_env = own_time_env  # the timeline's positions are exact: no slip from a clock run ahead
    settings = settings.model_copy(update={"var_dir": tmp_path})
    async with build_worker(time_env.client, settings, db):
        case_id = await _accepted_case(time_env, db, settings)
        other = await _accepted_case(time_env, db, settings)
        clean = await _verify(time_env, db, settings, case_id=case_id)
        assert clean.ok, clean.summary()
        assert clean.events == 6 and clean.histories["Temporal"] == 1
        assert (await _verify(time_env, db, settings)).ok

        # One character of the accept's note: the row no longer matches its hash, nor the history.
        await _sql(
            db,
            "UPDATE case_events SET detail = :d WHERE case_id = :c AND seq = 6",
            d=json.dumps({"note": "已签牧"}),
            c=case_id,
        )
        edited = await _verify(time_env, db, settings)
        assert not edited.ok
        assert {str(f) for f in edited.findings} == {
            f"case {case_id} #6: its content does not match its hash (edited?)",
            f"case {case_id} #6: differs from the workflow history (edited?)",
        }
        assert (await _verify(time_env, db, settings, case_id=other)).ok

        # Rewritten as a careful forger would, hash and all: the history still says otherwise.
        async with db.session() as session:
            [row] = [r for r in await audit.case_chain(session, case_id) if r.position == 6]
        await _sql(
            db,
            "UPDATE case_events SET hash = :h WHERE case_id = :c AND seq = 6",
            h=link(row.prev_hash, row.content),
            c=case_id,
        )
        forged = await _verify(time_env, db, settings, case_id=case_id)
        assert [str(f) for f in forged.findings] == [f"case {case_id} #6: differs from the workflow history (edited?)"]


async def test_a_deleted_or_inserted_row_is_named(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings, tmp_path: Path
) -> None:
    time_env = own_time_env  # the timeline's positions are exact: no slip from a clock run ahead
    settings = settings.model_copy(update={"var_dir": tmp_path})
    async with build_worker(time_env.client, settings, db):
        case_id = await _accepted_case(time_env, db, settings)
    await _sql(db, "DELETE FROM case_events WHERE case_id = :c AND seq = 3", c=case_id)
    deleted = await _verify(time_env, db, settings, case_id=case_id)
    assert {str(f) for f in deleted.findings} == {
        f"case {case_id} #4: entries 3–3 are missing (deleted?)",
        f"case {case_id} #4: does not follow the entry before it (inserted or reordered?)",
        f"case {case_id} #3: in the workflow history but not in the timeline (deleted?)",
    }
    await _sql(
        db,
        "INSERT INTO case_events (case_id, seq, at, kind, status, actor_role, detail, prev_hash, hash) "
        "VALUES (:c, 7, :at, 'replied', 'replied', 'unit', '{}', :p, :h)",
        c=case_id,
        at=datetime.now(UTC),
        p=GENESIS,
        h=GENESIS,
    )
    inserted = await _verify(time_env, db, settings, case_id=case_id)
    assert f"case {case_id} #7: in the timeline but not in the workflow history (inserted?)" in {
        str(f) for f in inserted.findings
    }


async def test_a_chain_rewritten_whole_after_its_anchor_no_longer_reaches_the_sealed_head(
    own_time_env: WorkflowEnvironment, db: Database, settings: Settings
) -> None:
    time_env = own_time_env  # the timeline's positions are exact: no slip from a clock run ahead
    async with build_worker(time_env.client, settings, db):
        case_id = await _accepted_case(time_env, db, settings)
    now = datetime.now(UTC)
    sealed = await db.write(lambda session: audit.seal_anchor(session, date(2026, 12, 1), now))
    assert sealed is not None and sealed.heads[f"case:{case_id}"][0] == 6
    assert await db.write(lambda session: audit.seal_anchor(session, date(2026, 12, 1), now)) is None  # once a day
    # Every hash recomputed from an edited first row: the chain is consistent again, the anchor is not.
    await _sql(db, "UPDATE case_events SET kind = 'received ' WHERE case_id = :c AND seq = 1", c=case_id)
    async with db.session() as session:
        entries = await audit.case_chain(session, case_id)
    prev = GENESIS
    for e in entries:
        h = link(prev, e.content)
        await _sql(
            db,
            "UPDATE case_events SET prev_hash = :p, hash = :h WHERE case_id = :c AND seq = :s",
            p=prev,
            h=h,
            c=case_id,
            s=e.position,
        )
        prev = h
    result = await verify(db, case_id=case_id)
    assert [str(f) for f in result.findings] == [
        f"case {case_id} #6: sealed by the anchor of 2026-12-01, no longer has the hash sealed (rewritten?)"
    ]
    # And an anchor edited to match is no longer the root the witness printed.
    await _sql(db, "UPDATE chain_anchors SET heads = :h", h=json.dumps({f"case:{case_id}": [6, prev]}))
    assert [str(f) for f in (await verify(db, case_id=case_id)).findings] == [
        "anchor 2026-12-01: its heads do not give its root (edited?)"
    ]


async def test_the_months_assessment_is_in_its_ledger_and_an_edit_shows(db: Database) -> None:
    now = datetime.now(UTC)

    def store(session: audit.Session) -> None:
        session.add(
            MonthlyAssessmentRow(month="2026-10", result={"units": [{"unit": "yatou", "score": 91.5}]}, assessed_at=now)
        )
        audit.record_month_versions(session, "2026-10", now)
        audit.record_month_versions(session, "2026-10", now)  # a retried store adds nothing

    await db.write(store)
    result = await verify(db)
    assert result.ok and result.ledger_entries == 1, result.summary()
    await _sql(
        db, "UPDATE monthly_assessments SET result = :r", r=json.dumps({"units": [{"unit": "yatou", "score": 99.5}]})
    )
    assert [str(f) for f in (await verify(db)).findings] == [
        "assessment 2026-10: differs from its last ledger entry (edited?)"
    ]
    await _sql(db, "DELETE FROM ledger_entries")
    assert [str(f) for f in (await verify(db)).findings] == ["assessment 2026-10: is not in the ledger (inserted?)"]


async def test_rows_from_before_the_migration_are_chained_by_it(tmp_path: Path) -> None:
    # From 0013 on a database with rows: every later migration (0014-0017) runs over data.
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    config = alembic_config(url)
    await asyncio.to_thread(command.upgrade, config, "0013")
    db = Database(url)
    try:
        t0 = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
        await _sql(
            db,
            "INSERT INTO cases (id, status, channel, received_at, updated_at, deadline_provisional, overdue, callback_round, reopened, seq) VALUES ('OLD', 'received', 'wechat', :t, :t, 0, 0, 0, 0, 2)",
            t=t0,
        )
        for seq, kind in ((1, "received"), (2, "classified")):
            await _sql(
                db,
                "INSERT INTO case_events (case_id, seq, at, kind, status, actor_role, detail) VALUES ('OLD', :s, :t, :k, 'received', 'system', :d)",
                s=seq,
                t=t0,
                k=kind,
                d=json.dumps({"n": str(seq)}),
            )
        await _sql(
            db,
            "INSERT INTO monthly_assessments (month, result, assessed_at) VALUES ('2026-09', :r, :t)",
            r=json.dumps({"a": 1}),
            t=t0,
        )
        await asyncio.to_thread(command.upgrade, config, "head")
        result = await verify(db)
        assert result.ok and (result.cases, result.events, result.ledger_entries) == (1, 2, 1), result.summary()
        async with db.session() as session:
            assert [e.prev_hash for e in await audit.case_chain(session, "OLD")][:1] == [GENESIS]
            assert [e.subject for e in await audit.ledger(session, "assessment")] == ["2026-09"]
    finally:
        await db.close()
