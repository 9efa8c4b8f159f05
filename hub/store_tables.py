"""The store's canonical data: each connected account, and every customer record it gave us.

`mgw_store_accounts` has one row per connected account (a HubSpot portal, a Salesforce org, a
Shopify shop, a Marketo instance, a Mailchimp list: the gateway names each by its connection),
with how far the store is caught up with it. `mgw_customer_records` holds each platform
record as the canonical `CustomerRecord` (JSON), keyed by platform, account and external id,
with the person it belongs to and when the store last wrote or confirmed it. Written by sync,
webhooks, polls, live reads and the gateway's own writes (hub/store_records.py); read within
a freshness bound (hub/store_reads.py). Shaped by migration 0002_customer_store.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, String, Table, Text

from hub.store import metadata

customer_records = Table(
    "mgw_customer_records",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("record", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_customer_records_customer", "customer_id"),
    Index("ix_mgw_customer_records_synced", "platform", "account", "synced_at"),
)

store_accounts = Table(
    "mgw_store_accounts",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True),
    Column("connected_at", DateTime(timezone=True), nullable=False),
    Column("caught_up_at", DateTime(timezone=True), nullable=True),
    Column("full_pass_at", DateTime(timezone=True), nullable=True),
)

store_people = Table(
    "mgw_store_people",
    metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("read_at", DateTime(timezone=True), nullable=True),
    Column("written_at", DateTime(timezone=True), nullable=True),
)

sync_checkpoints = Table(
    "mgw_sync_checkpoints",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True, server_default=""),
    Column("entity", String(32), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
"""Where each account's sync stands (sync_jobs/checkpoints.py reads and writes it; declared
here so that connecting another account can drop the old one's in the same transaction)."""
