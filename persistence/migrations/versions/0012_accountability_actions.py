"""Accountability follow-ups: the state of each interview (约谈) and discipline referral (纪委监委介入)
after it is decided: scheduled, held, rectification due, rectified or overdue.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accountability_follow_ups",
        sa.Column("key", sa.String(96), sa.ForeignKey("accountability_actions.key"), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_accountability_follow_ups_month", "accountability_follow_ups", ["month"])
    op.create_index("ix_accountability_follow_ups_unit_code", "accountability_follow_ups", ["unit_code"])
    op.create_index("ix_accountability_follow_ups_status", "accountability_follow_ups", ["status"])


def downgrade() -> None:
    op.drop_index("ix_accountability_follow_ups_status", "accountability_follow_ups")
    op.drop_index("ix_accountability_follow_ups_unit_code", "accountability_follow_ups")
    op.drop_index("ix_accountability_follow_ups_month", "accountability_follow_ups")
    op.drop_table("accountability_follow_ups")
