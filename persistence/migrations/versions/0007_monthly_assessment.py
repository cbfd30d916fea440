"""Monthly assessment and accountability: assessments, bottom lists, actions, notices, re-runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "monthly_assessments",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("assessed_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "month_bottoms",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("entries", sa.JSON(), nullable=False),
    )
    op.create_table(
        "accountability_actions",
        sa.Column("key", sa.String(96), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("step", sa.String(24), nullable=False),
        sa.Column("streak", sa.Integer(), nullable=False),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("withdrawn_at", UTC_TIME, nullable=True),
    )
    op.create_index("ix_accountability_actions_month", "accountability_actions", ["month"])
    op.create_index("ix_accountability_actions_unit_code", "accountability_actions", ["unit_code"])
    op.create_table(
        "notices",
        sa.Column("key", sa.String(96), primary_key=True),
        sa.Column("revision", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("filename", sa.String(128), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_notices_month", "notices", ["month"])
    op.create_index("ix_notices_unit_code", "notices", ["unit_code"])
    op.create_table(
        "assessment_reruns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("reason", sa.String(2000), nullable=False),
        sa.Column("actor_key_id", sa.String(24), nullable=True),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("workflow_id", sa.String(96), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_assessment_reruns_month", "assessment_reruns", ["month"])
    op.create_index("ix_summonses_rated_at", "summonses", ["rated_at"])
    op.create_index("ix_summonses_responded_at", "summonses", ["responded_at"])
    op.create_index("ix_requests_received_at", "requests", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_requests_received_at", "requests")
    op.drop_index("ix_summonses_responded_at", "summonses")
    op.drop_index("ix_summonses_rated_at", "summonses")
    for table in ("assessment_reruns", "notices", "accountability_actions", "month_bottoms", "monthly_assessments"):
        op.drop_table(table)
