"""Each person's company, deals and behavioural events in the store, per connected account
(hub/entity_store.py), with the company's domain indexed for segments.

A database from an earlier release gets the table empty: it fills as sync, webhooks and live
reads read people's entities.

Revision ID: 0067_person_entities
Revises: 0003_account_keys
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0067_person_entities"
down_revision = "0003_account_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mgw_person_entities",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("account", sa.String(160), primary_key=True),
        sa.Column("external_id", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("customer_id", sa.String(40), nullable=False),
        sa.Column("company_domain", sa.String(255), nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_mgw_person_entities_customer", "mgw_person_entities", ["customer_id"])
    op.create_index(
        "ix_mgw_person_entities_domain", "mgw_person_entities", ["company_domain", "customer_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_mgw_person_entities_domain", "mgw_person_entities")
    op.drop_index("ix_mgw_person_entities_customer", "mgw_person_entities")
    op.drop_table("mgw_person_entities")
