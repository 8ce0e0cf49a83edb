"""Price snapshots: each distinct genai-prices data file fetched, every refresh attempt, and the
day each catalog price was first seen.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "price_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("models", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("genai_prices_version", sa.String(32), nullable=False),
        sa.Column("first_fetched_at", UTC_DATETIME, nullable=False),
        sa.Column("fetched_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_price_snapshots"),
        sa.UniqueConstraint("content_hash", name="uq_price_snapshots_content_hash"),
    )
    op.create_index("ix_price_snapshots_fetched_at", "price_snapshots", ["fetched_at"])
    op.create_table(
        "price_refreshes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempted_at", UTC_DATETIME, nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("models_changed", sa.Integer(), nullable=True),
        sa.Column("prices_changed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_price_refreshes"),
    )
    op.create_index("ix_price_refreshes_attempted_at", "price_refreshes", ["attempted_at"])
    op.create_table(
        "catalog_prices_seen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model", sa.String(255), nullable=False),
        sa.Column("seen_on", sa.Date(), nullable=False),
        sa.Column("prices", sa.Text(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_prices_seen"),
    )
    op.create_index("ix_catalog_prices_seen_model", "catalog_prices_seen", ["model"])


def downgrade() -> None:
    op.drop_index("ix_catalog_prices_seen_model", table_name="catalog_prices_seen")
    op.drop_table("catalog_prices_seen")
    op.drop_index("ix_price_refreshes_attempted_at", table_name="price_refreshes")
    op.drop_table("price_refreshes")
    op.drop_index("ix_price_snapshots_fetched_at", table_name="price_snapshots")
    op.drop_table("price_snapshots")
