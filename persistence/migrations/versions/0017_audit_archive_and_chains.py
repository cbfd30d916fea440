"""The auditor's record: who read citizens' personal data, when a closed case's was erased, the archive of closed cases' histories, the timeline's hash chain (the
rows already there chained here), the ledger of assessment and accountability versions (the
current ones entered here), and the daily anchors of the chains' heads.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.audit import GENESIS, action_version, chain_hashes, digest, event_content, ledger_content

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(64), nullable=True))
    op.create_table(
        "archived_cases",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_archived_cases_archived_at", "archived_cases", ["archived_at"])
    op.create_table(
        "archived_runs",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("run_id", sa.String(64), primary_key=True),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "ledger_entries",
        sa.Column("chain", sa.String(32), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("subject", sa.String(96), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_entries_subject", "ledger_entries", ["subject"])
    op.create_table(
        "chain_anchors",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upto_event_id", sa.Integer(), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("prev_root", sa.String(64), nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
    )
    op.create_table(
        "personal_data_reads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_id", sa.String(24), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("what", sa.String(32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_personal_data_reads_key_id", "personal_data_reads", ["key_id"])
    op.create_index("ix_personal_data_reads_case_id", "personal_data_reads", ["case_id"])
    op.create_index("ix_personal_data_reads_at", "personal_data_reads", ["at"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("personal_data_erased_at", sa.DateTime(timezone=True), nullable=True))
    _chain_existing_events()
    _enter_existing_ledgers()


def _chain_existing_events() -> None:
    """Every case's events as they stand, chained in seq order (the same hash the worker writes)."""
    bind = op.get_bind()
    events = sa.table(
        "case_events",
        *(
            sa.column(c)
            for c in ("id", "case_id", "seq", "at", "kind", "status", "actor_role", "actor_unit", "actor_key_id")
        ),
        sa.column("detail", sa.JSON()),
        sa.column("prev_hash"),
        sa.column("hash"),
    )
    rows = bind.execute(sa.select(events).order_by(events.c.case_id, events.c.seq)).mappings()
    pending: list[dict[str, Any]] = []
    case_id, prev = None, GENESIS
    for row in rows:
        if row["case_id"] != case_id:
            case_id, prev = row["case_id"], GENESIS
        content = event_content(
            row["case_id"],
            row["seq"],
            _utc(row["at"]),
            row["kind"],
            row["status"],
            row["actor_role"],
            row["actor_unit"],
            row["actor_key_id"],
            row["detail"] or {},
        )
        [(prev_hash, h)] = chain_hashes([content], prev)
        pending.append({"row_id": row["id"], "prev_hash": prev_hash, "hash": h})
        prev = h
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("prev_hash"), hash=sa.bindparam("hash"))
    )
    for start in range(0, len(pending), BATCH):
        bind.execute(update, pending[start : start + BATCH])


def _utc(value: Any) -> Any:
    # SQLite gives back naive datetimes (stored as UTC by the models' type).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _enter_existing_ledgers() -> None:
    bind = op.get_bind()
    months = bind.execute(sa.text("SELECT month, result, assessed_at FROM monthly_assessments ORDER BY month"))
    actions = bind.execute(
        sa.text(
            "SELECT key, action, digest, revision, withdrawn_at, updated_at FROM accountability_actions ORDER BY key"
        )
    )
    _append(
        "assessment",
        ((m.month, digest(_json(m.result)), _utc(m.assessed_at)) for m in months.mappings().all()),
    )
    _append(
        "accountability",
        (
            (
                a.key,
                action_version(_json(a.action), a.digest, a.revision, _utc(a.withdrawn_at) if a.withdrawn_at else None),
                _utc(a.updated_at),
            )
            for a in actions.mappings().all()
        ),
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _append(chain: str, entries: Iterable[tuple[str, str, Any]]) -> None:
    entries = list(entries)
    hashes = chain_hashes([ledger_content(s, d) for s, d, _ in entries])
    table = sa.table(
        "ledger_entries", *(sa.column(c) for c in ("chain", "seq", "subject", "digest", "at", "prev_hash", "hash"))
    )
    rows = [
        {"chain": chain, "seq": i, "subject": s, "digest": d, "at": at, "prev_hash": p, "hash": h}
        for i, ((s, d, at), (p, h)) in enumerate(zip(entries, hashes, strict=True), start=1)
    ]
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("personal_data_erased_at")
    op.drop_index("ix_personal_data_reads_at", "personal_data_reads")
    op.drop_index("ix_personal_data_reads_case_id", "personal_data_reads")
    op.drop_index("ix_personal_data_reads_key_id", "personal_data_reads")
    op.drop_table("personal_data_reads")
    op.drop_table("chain_anchors")
    op.drop_index("ix_ledger_entries_subject", "ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_table("archived_runs")
    op.drop_index("ix_archived_cases_archived_at", "archived_cases")
    op.drop_table("archived_cases")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
