"""The citizen's clock on the case row: its deadline from receipt, the centre's limit to dispatch,
and whether the reply came by the citizen's deadline.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as table:
        table.add_column(sa.Column("citizen_due_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("dispatch_by", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("citizen_on_time", sa.Boolean(), nullable=True))
    op.create_index("ix_cases_citizen_due_at", "cases", ["citizen_due_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_citizen_due_at", "cases")
    with op.batch_alter_table("cases") as table:
        table.drop_column("citizen_on_time")
        table.drop_column("dispatch_by")
        table.drop_column("citizen_due_at")
