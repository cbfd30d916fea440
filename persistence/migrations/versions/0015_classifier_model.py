"""The version of the classifier model that classified each case (an auditor's question: which
model decided), indexed to find the cases a model decided.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cases", sa.Column("classifier_model", sa.String(32), nullable=True))
    op.create_index("ix_cases_classifier_model", "cases", ["classifier_model"])


def downgrade() -> None:
    op.drop_index("ix_cases_classifier_model", "cases")
    op.drop_column("cases", "classifier_model")
