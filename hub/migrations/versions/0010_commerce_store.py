"""The store's commerce data: orders, campaigns and how far each account's feed is read
(hub/commerce_tables.py).

Revision ID: 0010_commerce_store
Revises: 0002_customer_store
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_commerce_store"
down_revision = "0002_customer_store"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)
ACCOUNT = 160


def upgrade() -> None:
    op.create_table(
        "mgw_orders",
        sa.Column("account", sa.String(ACCOUNT), primary_key=True),
        sa.Column("external_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("customer_email", sa.String(320), nullable=True),
        sa.Column("placed_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=True),
        sa.Column("financial_status", sa.String(32), nullable=True),
        sa.Column("utm_key", sa.String(255), nullable=True),
        sa.Column("total_e4", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("synced_at", When, nullable=False),
    )
    op.create_index("ix_mgw_orders_attribution", "mgw_orders", ["account", "utm_key", "placed_at"])
    op.create_index(
        "ix_mgw_orders_customer", "mgw_orders", ["account", "customer_email", "placed_at"]
    )
    op.create_table(
        "mgw_campaigns",
        sa.Column("account", sa.String(ACCOUNT), primary_key=True),
        sa.Column("external_id", sa.String(255), primary_key=True),
        sa.Column("sent_at", When, nullable=True),
        sa.Column("utm_key", sa.String(255), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("synced_at", When, nullable=False),
    )
    op.create_index("ix_mgw_campaigns_utm", "mgw_campaigns", ["account", "utm_key", "sent_at"])
    op.create_table(
        "mgw_commerce_feeds",
        sa.Column("account", sa.String(ACCOUNT), primary_key=True),
        sa.Column("feed", sa.String(32), primary_key=True),
        sa.Column("backfilled_at", When, nullable=True),
        sa.Column("through", When, nullable=True),
        sa.Column("checked_at", When, nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("failure", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("mgw_commerce_feeds")
    op.drop_index("ix_mgw_campaigns_utm", "mgw_campaigns")
    op.drop_table("mgw_campaigns")
    op.drop_index("ix_mgw_orders_customer", "mgw_orders")
    op.drop_index("ix_mgw_orders_attribution", "mgw_orders")
    op.drop_table("mgw_orders")
