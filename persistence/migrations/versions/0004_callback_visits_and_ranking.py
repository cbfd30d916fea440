"""Callback visits as attempts through a gateway, reopened cases, and the daily ranking.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)
COUNTS = (
    "satisfied",
    "basically_satisfied",
    "dissatisfied",
    "unreachable",
    "due",
    "closed_by_end",
    "accepted",
    "returned",
    "replied",
    "on_time",
    "handling_days",
)
RATES = ("satisfaction_rate", "closure_rate", "return_rate", "on_time_rate", "average_handling_days", "score")


def upgrade() -> None:
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("callback_round", sa.Integer(), nullable=False, server_default="0"))
        cases.add_column(sa.Column("reopened", sa.Integer(), nullable=False, server_default="0"))
        cases.add_column(sa.Column("outcome", sa.String(32), nullable=True))
    # Cases closed before: their one round of callbacks is the last.
    op.execute("UPDATE cases SET callback_round = 1 WHERE status IN ('replied', 'closed')")
    op.create_index("ix_cases_closed_at", "cases", ["closed_at"])
    op.create_index("ix_cases_replied_at", "cases", ["replied_at"])
    op.create_index("ix_case_events_kind_at", "case_events", ["kind", "at"], postgresql_include=["actor_unit"])
    with op.batch_alter_table("callbacks") as callbacks:
        callbacks.add_column(sa.Column("attempt", sa.Integer(), nullable=False, server_default="1"))
        callbacks.add_column(sa.Column("due_at", UTC_TIME, nullable=True))
        callbacks.add_column(sa.Column("gateway", sa.String(16), nullable=False, server_default="queue"))
        callbacks.add_column(sa.Column("final", sa.Boolean(), nullable=True))
        callbacks.drop_constraint("uq_callbacks_case_request_round", type_="unique")
        callbacks.create_unique_constraint(
            "uq_callbacks_case_request_round_attempt", ["case_id", "request_id", "round", "attempt"]
        )
    op.execute("UPDATE callbacks SET final = (status = 'answered')")
    op.create_table(
        "unit_indicators",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("unit_code", sa.String(48), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        *(sa.Column(name, sa.Float(), nullable=True) for name in RATES),
        sa.Column("rank_all", sa.Integer(), nullable=True),
        sa.Column("rank_in_kind", sa.Integer(), nullable=True),
        sa.Column("computed_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("day", "period", "unit_code", name="uq_unit_indicators_day_period_unit"),
    )
    op.create_index("ix_unit_indicators_day", "unit_indicators", ["day"])
    op.create_index("ix_unit_indicators_unit_code", "unit_indicators", ["unit_code"])


def downgrade() -> None:
    op.drop_table("unit_indicators")
    with op.batch_alter_table("callbacks") as callbacks:
        callbacks.drop_constraint("uq_callbacks_case_request_round_attempt", type_="unique")
        callbacks.create_unique_constraint("uq_callbacks_case_request_round", ["case_id", "request_id", "round"])
        for column in ("final", "gateway", "due_at", "attempt"):
            callbacks.drop_column(column)
    op.drop_index("ix_case_events_kind_at", "case_events")
    op.drop_index("ix_cases_replied_at", "cases")
    op.drop_index("ix_cases_closed_at", "cases")
    with op.batch_alter_table("cases") as cases:
        for column in ("outcome", "reopened", "callback_round"):
            cases.drop_column(column)
