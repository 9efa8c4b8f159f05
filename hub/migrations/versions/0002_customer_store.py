"""The store's canonical customer records and its connected accounts (hub/tables.py).

Revision ID: 0002_customer_store
Revises: 0001_baseline
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_customer_store"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mgw_customer_records",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(160), primary_key=True),
        sa.Column("external_id", sa.String(255), primary_key=True),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("updated_at", When, nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("synced_at", When, nullable=False),
    )
    op.create_index("ix_mgw_customer_records_customer", "mgw_customer_records", ["customer_id"])
    op.create_index(
        "ix_mgw_customer_records_synced",
        "mgw_customer_records",
        ["platform", "account", "synced_at"],
    )
    op.create_table(
        "mgw_store_accounts",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(160), primary_key=True),
        sa.Column("connected_at", When, nullable=False),
        sa.Column("caught_up_at", When, nullable=True),
        sa.Column("full_pass_at", When, nullable=True),
    )
