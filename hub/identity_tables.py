"""The identity index's list tables: what sync learned about each platform record and person.

`mgw_index_records` holds one row per platform record a sync read (its person, lifecycle stage,
update time and a fingerprint of everything it said), and `mgw_index_customers` one row per
person, derived from their records: email domain, merged lifecycle stage, latest update time.
`customers(filter:)` pages and counts over these (hub/customer_list.py). They are separate
from `mgw_identities`/`mgw_identity_links` (hub/store.py), which every live read feeds: the
list shows the people sync has seen, with the attributes sync last read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index, String, Table

from hub.store import metadata

index_records = Table(
    "mgw_index_records",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True, server_default=""),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("lifecycle_stage", String(32), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_index_records_customer", "customer_id", "platform"),
)

index_customers = Table(
    "mgw_index_customers",
    metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("email_domain", String(255), nullable=False),
    Column("lifecycle_stage", String(32), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("platforms", String(128), nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_index_customers_domain", "email_domain", "customer_id"),
    Index("ix_mgw_index_customers_stage", "lifecycle_stage", "customer_id"),
    Index("ix_mgw_index_customers_updated", "updated_at"),
)


def utc(moment: datetime | None) -> datetime | None:
    """A time as stored: UTC. SQLite hands times back naive; they were stored as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
