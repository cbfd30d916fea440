"""Request kinds, answers at first contact, the callback's second question, the new rates in the
daily ranking, the policy knowledge base and the targets watched.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COUNTS = (
    "accepted_in_time",
    "acceptance_slips",
    "solved",
    "partly_solved",
    "not_solved",
    "citizen_clocked",
    "citizen_on_time",
    "closed",
    "resolved_first_time",
    "answered_first_contact",
)
RATES = ("response_rate", "resolution_rate", "citizen_on_time_rate", "first_contact_rate")


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch rebuild: SQLite would copy and drop tables that others
    # reference (a database with cases in it then fails its foreign keys).
    for column in (
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("town_code", sa.String(length=48), nullable=True),
        sa.Column("first_contact", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("knowledge_entry_id", sa.Integer(), nullable=True),
        sa.Column("resolved_first_time", sa.Boolean(), nullable=True),
    ):
        op.add_column("cases", column)
    op.create_index("ix_cases_kind", "cases", ["kind"])
    op.create_index("ix_cases_town_code", "cases", ["town_code"])
    # A case's town is its first request's: fill it in for the cases taken in before.
    op.execute(
        "UPDATE cases SET town_code = (SELECT r.town_code FROM requests r WHERE r.case_id = cases.id"
        " ORDER BY r.received_at LIMIT 1)"
    )
    for column in (
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("kind_source", sa.String(length=8), nullable=True),
        sa.Column("first_answer", sa.String(length=4000), nullable=True),
        sa.Column("knowledge_entry_id", sa.Integer(), nullable=True),
        sa.Column("knowledge_version", sa.Integer(), nullable=True),
    ):
        op.add_column("requests", column)
    op.add_column("callbacks", sa.Column("resolution", sa.String(length=16), nullable=True))
    for name in COUNTS:
        op.add_column("unit_indicators", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    for name in RATES:
        op.add_column("unit_indicators", sa.Column(name, sa.Float(), nullable=True))
    op.create_table(
        "knowledge_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("matter_types", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "knowledge_versions",
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("knowledge_entries.id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("matter_types", sa.JSON(), nullable=False),
        sa.Column("actor_key_id", sa.String(length=24), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "target_breaches",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("target", sa.String(length=48), nullable=False),
        sa.Column("scope_key", sa.String(length=48), nullable=False),
        sa.Column("rate", sa.String(length=32), nullable=False),
        sa.Column("line", sa.String(length=16), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("last_checked_on", sa.Date(), nullable=False),
        sa.Column("recovered_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_target_breaches_target", "target_breaches", ["target"])
    op.create_index("ix_target_breaches_scope_key", "target_breaches", ["scope_key"])
    op.create_index("ix_target_breaches_recovered_on", "target_breaches", ["recovered_on"])


def downgrade() -> None:
    for index in ("ix_target_breaches_recovered_on", "ix_target_breaches_scope_key", "ix_target_breaches_target"):
        op.drop_index(index, "target_breaches")
    op.drop_table("target_breaches")
    op.drop_table("knowledge_versions")
    op.drop_table("knowledge_entries")
    with op.batch_alter_table("unit_indicators") as table:
        for name in (*RATES, *COUNTS):
            table.drop_column(name)
    with op.batch_alter_table("callbacks") as table:
        table.drop_column("resolution")
    with op.batch_alter_table("requests") as table:
        for name in ("knowledge_version", "knowledge_entry_id", "first_answer", "kind_source", "kind"):
            table.drop_column(name)
    op.drop_index("ix_cases_town_code", "cases")
    op.drop_index("ix_cases_kind", "cases")
    with op.batch_alter_table("cases") as table:
        for name in ("resolved_first_time", "knowledge_entry_id", "first_contact", "town_code", "kind"):
            table.drop_column(name)
