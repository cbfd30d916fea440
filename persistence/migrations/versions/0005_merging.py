"""Merging repeat submissions: where a request is (geo cell, town), and why it was merged.

Requests taken in before have no geo cell or town: they are past the merge window anyway.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as requests:
        requests.add_column(sa.Column("geo_cell", sa.Integer(), nullable=True))
        requests.add_column(sa.Column("town_code", sa.String(48), nullable=True))
        requests.add_column(sa.Column("merged_similarity", sa.Float(), nullable=True))
        requests.add_column(sa.Column("merged_place", sa.String(64), nullable=True))
    for column in ("grid", "geo_cell", "town_code"):
        op.create_index(f"ix_requests_{column}", "requests", [column])


def downgrade() -> None:
    for column in ("town_code", "geo_cell", "grid"):
        op.drop_index(f"ix_requests_{column}", "requests")
    with op.batch_alter_table("requests") as requests:
        for column in ("merged_place", "merged_similarity", "town_code", "geo_cell"):
            requests.drop_column(column)
