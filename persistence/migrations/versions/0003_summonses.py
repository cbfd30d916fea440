"""Whistle and respond: the summonses table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "summonses",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("summons_id", sa.String(16), nullable=False),
        sa.Column("lead_unit", sa.String(48), nullable=False),
        sa.Column("unit", sa.String(48), nullable=False),
        sa.Column("task", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("whistled_at", UTC_TIME, nullable=False),
        sa.Column("respond_by", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("responded_at", UTC_TIME, nullable=True),
        sa.Column("report", sa.String(), nullable=True),
        sa.Column("decline_reason", sa.String(), nullable=True),
        sa.Column("ruling_note", sa.String(), nullable=True),
        sa.Column("speed", sa.Integer(), nullable=True),
        sa.Column("quality", sa.Integer(), nullable=True),
        sa.Column("rating_comment", sa.String(), nullable=True),
        sa.Column("rated_at", UTC_TIME, nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.UniqueConstraint("case_id", "summons_id", name="uq_summonses_case_summons"),
    )
    for column in ("case_id", "lead_unit", "unit", "whistled_at"):
        op.create_index(f"ix_summonses_{column}", "summonses", [column])


def downgrade() -> None:
    op.drop_table("summonses")
