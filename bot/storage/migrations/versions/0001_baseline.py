"""Baseline: the four tables as `metadata.create_all` made them before there were migrations.

Written out operation by operation, names included, so that it stays what it is whatever
bot/storage/store.py's metadata becomes. A database made before migrations already has these tables;
bot.storage.migrate stamps it at this revision instead of running it (creating, through
`CREATE_TABLE`, any of the four it lacks).

Revision ID: 0001
Revises:
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# What UTCDateTime stores: the TypeDecorator converts in Python, the column is this.
UTC_DATETIME = sa.DateTime(timezone=True)


def create_slack_events() -> None:
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name="pk_slack_events"),
    )
    op.create_index("ix_slack_events_claimed_at", "slack_events", ["claimed_at"])


def create_thread_answers() -> None:
    op.create_table(
        "thread_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(255), nullable=False),
        sa.Column("thread_ts", sa.String(255), nullable=False),
        sa.Column("message_ts", sa.String(255), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_by", sa.String(255), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_thread_answers"),
        sa.UniqueConstraint(
            "team_id",
            "channel_id",
            "message_ts",
            name="uq_thread_answers_team_id_channel_id_message_ts",
        ),
    )
    op.create_index(
        "ix_thread_answers_team_id_channel_id_thread_ts",
        "thread_answers",
        ["team_id", "channel_id", "thread_ts"],
    )


def create_digest_subscriptions() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(255), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("at_time", sa.String(5), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("watch", sa.Text(), nullable=False),
        sa.Column("subscribed_by", sa.String(255), nullable=True),
        sa.Column("starts_at", UTC_DATETIME, nullable=False),
        sa.Column("paused_reason", sa.String(64), nullable=True),
        sa.Column("paused_at", UTC_DATETIME, nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_digest_subscriptions"),
        sa.UniqueConstraint(
            "team_id", "channel_id", name="uq_digest_subscriptions_team_id_channel_id"
        ),
    )


def create_digest_deliveries() -> None:
    op.create_table(
        "digest_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(255), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("scheduled_for", UTC_DATETIME, nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(255), nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=False),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.Column("message_ts", sa.String(255), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_digest_deliveries"),
        sa.UniqueConstraint(
            "team_id",
            "channel_id",
            "period",
            name="uq_digest_deliveries_team_id_channel_id_period",
        ),
    )
    op.create_index("ix_digest_deliveries_period", "digest_deliveries", ["period"])


# Table name -> the operations that create it, in the order upgrade() runs them.
CREATE_TABLE: dict[str, Callable[[], None]] = {
    "slack_events": create_slack_events,
    "thread_answers": create_thread_answers,
    "digest_subscriptions": create_digest_subscriptions,
    "digest_deliveries": create_digest_deliveries,
}


def upgrade() -> None:
    for create in CREATE_TABLE.values():
        create()


def downgrade() -> None:
    for name in reversed(CREATE_TABLE):
        op.drop_table(name)
