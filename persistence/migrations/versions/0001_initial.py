"""Initial schema: reference tables, cases, requests, timeline, callbacks, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "channels",
        sa.Column("code", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_table(
        "units",
        sa.Column("code", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_units_kind", "units", ["kind"])
    op.create_table(
        "domains",
        sa.Column("code", sa.String(48), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
    )
    op.create_table(
        "matter_types",
        sa.Column("code", sa.String(48), primary_key=True),
        sa.Column("domain_code", sa.String(48), sa.ForeignKey("domains.code"), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("name_en", sa.String(), nullable=False),
        sa.Column("responsible", sa.String(48), nullable=False),
        sa.Column("basis", sa.String(16), nullable=False),
        sa.Column("tier", sa.String(16), nullable=False),
    )
    op.create_index("ix_matter_types_domain_code", "matter_types", ["domain_code"])
    op.create_table(
        "cases",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(48), nullable=False),
        sa.Column("tier", sa.String(16), nullable=True),
        sa.Column("unit_code", sa.String(48), nullable=True),
        sa.Column("domain_code", sa.String(48), nullable=True),
        sa.Column("matter_type_code", sa.String(48), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("deadline_at", UTC_TIME, nullable=True),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    for column in ("status", "channel", "tier", "unit_code", "domain_code", "received_at"):
        op.create_index(f"ix_cases_{column}", "cases", [column])
    op.create_table(
        "requests",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("channel", sa.String(48), nullable=False),
        sa.Column("channel_ref", sa.String(128), nullable=False),
        sa.Column("citizen_name", sa.String(64), nullable=False),
        sa.Column("citizen_phone", sa.String(32), nullable=False),
        sa.Column("content", sa.String(4000), nullable=False),
        sa.Column("address", sa.String(256), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("grid", sa.String(16), nullable=True),
        sa.Column("category_hint", sa.String(64), nullable=True),
        sa.Column("reported_at", UTC_TIME, nullable=True),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("intake_key_id", sa.String(24), nullable=False),
        sa.UniqueConstraint("channel", "channel_ref", name="uq_requests_channel_ref"),
    )
    op.create_index("ix_requests_case_id", "requests", ["case_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_unit", sa.String(48), nullable=True),
        sa.Column("actor_key_id", sa.String(24), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_case_seq"),
    )
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("request_id", sa.String(40), sa.ForeignKey("requests.id"), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.String(32), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("agent_key_id", sa.String(24), nullable=True),
        sa.UniqueConstraint("case_id", "request_id", "round", name="uq_callbacks_case_request_round"),
    )
    op.create_index("ix_callbacks_status", "callbacks", ["status"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(48), sa.ForeignKey("units.code"), nullable=True),
        sa.Column("label", sa.String(128), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
    )


def downgrade() -> None:
    for table in (
        "api_keys",
        "callbacks",
        "case_events",
        "requests",
        "cases",
        "matter_types",
        "domains",
        "units",
        "channels",
    ):
        op.drop_table(table)
