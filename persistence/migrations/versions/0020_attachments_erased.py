"""Attachments' erasure: when a file's bytes were deleted from the object store (a citizen's file
past the retention period, an upload no request named in time).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (no batch rebuild): SQLite adds a nullable column without copying the table.
    op.add_column("attachments", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as table:
        table.drop_column("erased_at")
