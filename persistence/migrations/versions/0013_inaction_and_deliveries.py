"""Typical inaction marks (典型不作为: who, when, why, the unit and the month it counts in) and the
record of each notification's delivery to each recipient.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inaction_marks",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("actor_key_id", sa.String(24), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notice_key", sa.String(96), nullable=False),
    )
    op.create_index("ix_inaction_marks_unit_code", "inaction_marks", ["unit_code"])
    op.create_index("ix_inaction_marks_month", "inaction_marks", ["month"])
    op.create_table(
        "deliveries",
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), primary_key=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_deliveries_case_id", "deliveries", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_case_id", "deliveries")
    op.drop_table("deliveries")
    op.drop_index("ix_inaction_marks_month", "inaction_marks")
    op.drop_index("ix_inaction_marks_unit_code", "inaction_marks")
    op.drop_table("inaction_marks")
