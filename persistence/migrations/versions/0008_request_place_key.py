"""Where a request is within its town: its door number, and the text model's matter type (which
requests are area-wide), so a request with only an address is compared with those at its number.

Requests taken in before have neither: they stay candidates everywhere in their town, as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as requests:
        requests.add_column(sa.Column("house_number", sa.Integer(), nullable=True))
        requests.add_column(sa.Column("matter_hint", sa.String(48), nullable=True))
    op.create_index("ix_requests_town_code_house_number", "requests", ["town_code", "house_number"])


def downgrade() -> None:
    op.drop_index("ix_requests_town_code_house_number", "requests")
    with op.batch_alter_table("requests") as requests:
        requests.drop_column("matter_hint")
        requests.drop_column("house_number")
