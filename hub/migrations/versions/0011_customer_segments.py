"""Segments over the store: each record's and each person's lead score, email consent and
total spent, with indexes for `customers(filter:, sort:)` (hub/customer_list.py).

A database from an earlier release gets the columns empty; its records are summarized again
as sync reads them (a full pass, `mgw sync run --full`, fills them all at once).

Revision ID: 0011_customer_segments
Revises: 0010_commerce_store
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_customer_segments"
down_revision = "0010_commerce_store"
branch_labels = None
depends_on = None

FACETS = (
    ("lead_score", sa.Integer),
    ("email_consent", lambda: sa.String(16)),
    ("total_spent_e4", sa.BigInteger),
)
INDEXES = {
    "ix_mgw_index_customers_score": ["lead_score", "customer_id"],
    "ix_mgw_index_customers_consent": ["email_consent", "customer_id"],
    "ix_mgw_index_customers_spent": ["total_spent_e4", "customer_id"],
    "ix_mgw_index_customers_synced": ["synced_at", "customer_id"],
}


def upgrade() -> None:
    for table in ("mgw_index_records", "mgw_index_customers"):
        for name, kind in FACETS:
            op.add_column(table, sa.Column(name, kind(), nullable=True))
    for name, columns in INDEXES.items():
        op.create_index(name, "mgw_index_customers", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "mgw_index_customers")
    for table in ("mgw_index_records", "mgw_index_customers"):
        with op.batch_alter_table(table) as batch:
            for name, _ in FACETS:
                batch.drop_column(name)
