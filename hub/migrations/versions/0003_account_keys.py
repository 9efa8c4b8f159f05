"""The identity index and sync checkpoints belong to a connected account, not a platform name.

`mgw_identity_links`, `mgw_index_records` and `mgw_sync_checkpoints` gain `account` in their
primary key. Rows from before carry the empty account: the first connection of the platform
adopts them as its own and starts a full pass, which drops what that account no longer holds
(hub/store_accounts.py); their checkpoints are never resumed, so nothing is skipped.
`mgw_store_people` records, per person, when a live read last saw every platform (what the
store knows of a person no platform's sync has named) and when the gateway last wrote to them.

Revision ID: 0003_account_keys
Revises: 0011_customer_segments (0010 and 0011 landed first; the chain stays one line,
numbers aside, and the copy of mgw_index_records keeps 0011's columns)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_account_keys"
down_revision = "0011_customer_segments"
branch_labels = None
depends_on = None

When = sa.DateTime(timezone=True)


def _rekey(table: str, columns: list[sa.Column[object]], key: tuple[str, ...]) -> None:
    """`table` again with `account` in its key: a new table, the rows copied (account ''),
    the old one dropped with its indexes and the new one renamed (both dialects alike)."""
    names = [column.name for column in columns]
    account = sa.Column("account", sa.String(160), nullable=False, server_default="")
    op.create_table(
        f"{table}_v3", *columns, account, sa.PrimaryKeyConstraint(*key, name=f"pk_{table}")
    )
    listed = ", ".join(names)
    op.execute(f"INSERT INTO {table}_v3 ({listed}, account) SELECT {listed}, '' FROM {table}")
    op.drop_table(table)
    op.rename_table(f"{table}_v3", table)


def upgrade() -> None:
    _rekey(
        "mgw_identity_links",
        [
            sa.Column("platform", sa.String(16), nullable=False),
            sa.Column("external_id", sa.String(255), nullable=False),
            sa.Column("customer_id", sa.String(40), nullable=False),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("seen_at", When, nullable=False),
        ],
        ("platform", "account", "external_id"),
    )
    op.create_index("ix_mgw_identity_links_customer", "mgw_identity_links", ["customer_id"])
    _rekey(
        "mgw_index_records",
        [
            sa.Column("platform", sa.String(16), nullable=False),
            sa.Column("external_id", sa.String(255), nullable=False),
            sa.Column("customer_id", sa.String(40), nullable=False),
            sa.Column("email", sa.String(320), nullable=False),
            sa.Column("lifecycle_stage", sa.String(32), nullable=True),
            sa.Column("updated_at", When, nullable=True),
            sa.Column("fingerprint", sa.String(64), nullable=False),
            sa.Column("synced_at", When, nullable=False),
            sa.Column("lead_score", sa.Integer, nullable=True),
            sa.Column("email_consent", sa.String(16), nullable=True),
            sa.Column("total_spent_e4", sa.BigInteger, nullable=True),
        ],
        ("platform", "account", "external_id"),
    )
    op.create_index(
        "ix_mgw_index_records_customer", "mgw_index_records", ["customer_id", "platform"]
    )
    _rekey(
        "mgw_sync_checkpoints",
        [
            sa.Column("platform", sa.String(16), nullable=False),
            sa.Column("entity", sa.String(32), nullable=False),
            sa.Column("position", sa.Text, nullable=False),
            sa.Column("updated_at", When, nullable=False),
        ],
        ("platform", "account", "entity"),
    )
    op.create_table(
        "mgw_store_people",
        sa.Column("customer_id", sa.String(40), primary_key=True),
        sa.Column("read_at", When, nullable=True),
        sa.Column("written_at", When, nullable=True),
    )
