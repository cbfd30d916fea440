"""Dispatchers' corrections of merging: requests split out of a case, cases merged by hand.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merge_corrections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("from_case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("to_case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("merged_similarity", sa.Float(), nullable=True),
        sa.Column("merged_place", sa.String(64), nullable=True),
        sa.Column("actor_key_id", sa.String(24), nullable=True),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("kind", "request_id", "from_case_id", name="uq_merge_corrections_kind_request_case"),
    )
    op.create_index("ix_merge_corrections_to_case_id", "merge_corrections", ["to_case_id"])
    op.create_index("ix_merge_corrections_at", "merge_corrections", ["at"])


def downgrade() -> None:
    op.drop_table("merge_corrections")
