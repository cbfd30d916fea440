"""Deadlines and supervision slips: case deadline columns, slips, the notification outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("deadline_provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
        cases.add_column(sa.Column("overdue", sa.Boolean(), nullable=False, server_default=sa.false()))
        cases.add_column(sa.Column("replied_at", UTC_TIME, nullable=True))
        cases.add_column(sa.Column("on_time", sa.Boolean(), nullable=True))
        cases.add_column(sa.Column("handling_working_days", sa.Integer(), nullable=True))
        cases.create_index("ix_cases_deadline_at", ["deadline_at"])
        cases.create_index("ix_cases_overdue", ["overdue"])
    op.create_table(
        "slips",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=True),
        sa.Column("issued_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("case_id", "round", "trigger", name="uq_slips_case_round_trigger"),
    )
    for column in ("case_id", "unit_code", "kind", "issued_at"):
        op.create_index(f"ix_slips_{column}", "slips", [column])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(128), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("dedupe_key", "recipient", name="uq_outbox_key_recipient"),
    )
    op.create_index("ix_outbox_sent_at", "outbox", ["sent_at"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("slips")
    with op.batch_alter_table("cases") as cases:
        cases.drop_index("ix_cases_overdue")
        cases.drop_index("ix_cases_deadline_at")
        for column in ("handling_working_days", "on_time", "replied_at", "overdue", "deadline_provisional"):
            cases.drop_column(column)
