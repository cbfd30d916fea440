"""Hand-overs: requests taken in that their case's workflow has not yet recorded, so that the
reconciler can start or join what an engine outage or a crash left behind.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500), nullable=True),
    )
    op.create_index("ix_handoffs_created_at", "handoffs", ["created_at"])
    op.create_index("ix_handoffs_due_at", "handoffs", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_due_at", "handoffs")
    op.drop_index("ix_handoffs_created_at", "handoffs")
    op.drop_table("handoffs")
