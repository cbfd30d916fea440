"""Case events out: the outbox's event stream (each timeline event, with its published position)
and text stream (texts to citizens, held by quiet hours), event subscriptions (webhooks with their
secret, filter and cursor), citizens' opt-outs from texts, and deliveries per target (the
notification webhook, a subscription, the SMS platform) with the last status and latency.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_DELIVERY_COLUMNS = (
    "outbox_id",
    "case_id",
    "recipient",
    "kind",
    "outcome",
    "attempts",
    "error",
    "first_attempt_at",
    "last_attempt_at",
    "delivered_at",
)


def upgrade() -> None:
    with op.batch_alter_table("outbox") as table:
        table.add_column(sa.Column("stream", sa.String(16), nullable=False, server_default="notification"))
        table.add_column(sa.Column("position", sa.Integer(), nullable=True))
        table.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("requests") as table:
        table.add_column(sa.Column("lookup_token", sa.String(32), nullable=True))
        table.create_unique_constraint("uq_requests_lookup_token", ["lookup_token"])
    op.create_table(
        "text_opt_outs",
        sa.Column("phone", sa.String(32), primary_key=True),
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_outbox_position", "outbox", ["position"], unique=True)
    op.create_table(
        "event_subscriptions",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("units", sa.JSON(), nullable=True),
        sa.Column("owner_key_id", sa.String(24), nullable=False),
        sa.Column("owner_unit", sa.String(48), nullable=True),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_event_subscriptions_owner_unit", "event_subscriptions", ["owner_unit"])
    # deliveries was one row per outbox row; now one per outbox row and target: a new table, the
    # old rows copied in as the notification webhook's (target "").
    op.create_table(
        "deliveries_by_target",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), nullable=False),
        sa.Column("target", sa.String(24), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("outbox_id", "target", name="uq_deliveries_outbox_target"),
    )
    columns = ", ".join(_DELIVERY_COLUMNS)
    op.execute(f"INSERT INTO deliveries_by_target (target, {columns}) SELECT '', {columns} FROM deliveries")
    op.drop_index("ix_deliveries_case_id", "deliveries")
    op.drop_table("deliveries")
    op.rename_table("deliveries_by_target", "deliveries")
    op.create_index("ix_deliveries_case_id", "deliveries", ["case_id"])
    op.create_index("ix_deliveries_target", "deliveries", ["target"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_target", "deliveries")
    op.drop_index("ix_deliveries_case_id", "deliveries")
    op.rename_table("deliveries", "deliveries_by_target")
    op.create_table(
        "deliveries",
        sa.Column("outbox_id", sa.Integer(), sa.ForeignKey("outbox.id"), primary_key=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    columns = ", ".join(_DELIVERY_COLUMNS)
    op.execute(f"INSERT INTO deliveries ({columns}) SELECT {columns} FROM deliveries_by_target WHERE target = ''")
    op.drop_table("deliveries_by_target")
    op.create_index("ix_deliveries_case_id", "deliveries", ["case_id"])
    op.drop_index("ix_event_subscriptions_owner_unit", "event_subscriptions")
    op.drop_table("event_subscriptions")
    op.drop_index("ix_outbox_position", "outbox")
    op.drop_table("text_opt_outs")
    with op.batch_alter_table("requests") as table:
        table.drop_constraint("uq_requests_lookup_token", type_="unique")
        table.drop_column("lookup_token")
    with op.batch_alter_table("outbox") as table:
        table.drop_column("not_before")
        table.drop_column("position")
        table.drop_column("stream")
