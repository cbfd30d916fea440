"""Attachments: photos, audio and documents with requests, replies and whistle responses (the
files in the object store, their rows here); a request's ``media_url`` (Open311's link, kept).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (no batch rebuild): SQLite adds a nullable column without copying the table.
    op.add_column("requests", sa.Column("media_url", sa.String(2000), nullable=True))
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("attached_to", sa.String(16), nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("sniffed_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("upload_sha256", sa.String(64), nullable=False),
        sa.Column("thumbnail_sha256", sa.String(64), nullable=True),
        sa.Column("filename", sa.String(128), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("uploaded_by_role", sa.String(16), nullable=False),
        sa.Column("uploaded_by_unit", sa.String(48), nullable=True),
        sa.Column("uploaded_by_key_id", sa.String(24), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attachments_request_id", "attachments", ["request_id"])
    op.create_index("ix_attachments_case_id", "attachments", ["case_id"])
    op.create_index("ix_attachments_uploaded_by_key_id", "attachments", ["uploaded_by_key_id"])


def downgrade() -> None:
    op.drop_table("attachments")
    with op.batch_alter_table("requests") as table:
        table.drop_column("media_url")
