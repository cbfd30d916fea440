"""The console's people: users (role, unit, argon2 password hash, failed attempts, lock) and their
sessions; the person who acted on each timeline event; the indexes of the console's busiest pages
(the dispatch queue, a unit's inbox).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"  # after attachments (0018), merged later but numbered first
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(48), sa.ForeignKey("units.code"), nullable=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "console_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("console_users.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_console_sessions_user_id", "console_sessions", ["user_id"])
    # Added in place: a batch rebuild of case_events would fail SQLite's foreign keys on data.
    op.add_column("case_events", sa.Column("actor_person", sa.String(32), nullable=True))
    op.create_index("ix_cases_status_citizen_due_at", "cases", ["status", "citizen_due_at"])
    op.create_index("ix_cases_unit_code_status_deadline_at", "cases", ["unit_code", "status", "deadline_at"])


def downgrade() -> None:
    op.drop_index("ix_cases_unit_code_status_deadline_at", "cases")
    op.drop_index("ix_cases_status_citizen_due_at", "cases")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("actor_person")
    op.drop_index("ix_console_sessions_user_id", "console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
