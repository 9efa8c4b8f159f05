"""The schema as releases before Alembic created it (`metadata.create_all` on every open).

Frozen here, not imported from the live tables: later migrations change those. On a fresh
database this creates every table; on a database from the previous release it creates only the
tables that release did not have yet (each is checked first), so either way the database ends
at this revision with nothing lost.

Revision ID: 0001_baseline
Revises:
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None

baseline = MetaData()
When = DateTime(timezone=True)

Table(
    "mgw_secrets",
    baseline,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)
Table(
    "mgw_identities",
    baseline,
    Column("customer_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_seen", When, nullable=False),
)
Table(
    "mgw_identity_links",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("seen_at", When, nullable=False),
    Index("ix_mgw_identity_links_customer", "customer_id"),
)
Table(
    "mgw_index_records",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("lifecycle_stage", String(32), nullable=True),
    Column("updated_at", When, nullable=True),
    Column("fingerprint", String(64), nullable=False),
    Column("synced_at", When, nullable=False),
    Index("ix_mgw_index_records_customer", "customer_id", "platform"),
)
Table(
    "mgw_index_customers",
    baseline,
    Column("customer_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("email_domain", String(255), nullable=False),
    Column("lifecycle_stage", String(32), nullable=True),
    Column("updated_at", When, nullable=True),
    Column("platforms", String(128), nullable=False),
    Column("synced_at", When, nullable=False),
    Index("ix_mgw_index_customers_domain", "email_domain", "customer_id"),
    Index("ix_mgw_index_customers_stage", "lifecycle_stage", "customer_id"),
    Index("ix_mgw_index_customers_updated", "updated_at"),
)
Table(
    "mgw_credentials",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("account", String(128), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
    Column("updated_at", When, nullable=False),
)
Table(
    "mgw_audit_log",
    baseline,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", When, nullable=False),
    Column("action", String(32), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("account", String(128), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("reason", String(255), nullable=False),
)
Table(
    "mgw_webhook_events",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("email", String(320)),
    Column("external_id", String(255)),
    Column("received_at", When, nullable=False),
    Column("payload", Text, nullable=False),
)
Table(
    "mgw_webhook_unprocessed",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("occurred_at", When),
    Column("received_at", When, nullable=False),
)
Table(
    "mgw_write_requests",
    baseline,
    Column("request_id", String(40), primary_key=True),
    Column("operation", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("change", Text, nullable=False),
    Column("targets", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=True, unique=True),
    Column("correlation_id", String(64), nullable=False),
    Column("created_at", When, nullable=False),
    Index("ix_mgw_write_requests_email", "email", "created_at"),
)
Table(
    "mgw_write_targets",
    baseline,
    Column("request_id", String(40), primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("external_id", String(255)),
    Column("dead_letter_id", String(40)),
    Column("error", Text),
    Column("last_response", Text),
    Column("first_failed_at", When),
    Column("last_failed_at", When),
    Column("next_attempt_at", When),
    Column("updated_at", When, nullable=False),
    Index("ix_mgw_write_targets_status", "status"),
)
Table(
    "mgw_dead_letters",
    baseline,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(40), nullable=False, unique=True),
    Column("operation", String(40), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("request_id", String(40), nullable=False),
    Column("request", Text, nullable=False),
    Column("last_response", Text, nullable=False),
    Column("error_class", String(120), nullable=False),
    Column("error_message", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed_at", When, nullable=False),
    Column("last_failed_at", When, nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolved_at", When),
    Index("ix_mgw_dead_letters_state", "state", "platform", "seq"),
)
Table(
    "mgw_api_keys",
    baseline,
    Column("id", String(12), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("scopes", String(255), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", When, nullable=False),
    Column("revoked_at", When, nullable=True),
)
Table(
    "mgw_propagation_seen",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("seen_at", When, nullable=False),
)
Table(
    "mgw_sync_leases",
    baseline,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", When, nullable=False),
)
Table(
    "mgw_sync_runs",
    baseline,
    Column("id", String(40), primary_key=True),
    Column("platform", String(16), nullable=True, index=True),
    Column("full", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", When, nullable=False, index=True),
    Column("finished_at", When, nullable=True),
    Column("records_read", Integer, nullable=False, default=0),
    Column("records_written", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
)
Table(
    "mgw_sync_checkpoints",
    baseline,
    Column("platform", String(16), primary_key=True),
    Column("entity", String(32), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", When, nullable=False),
)


def upgrade() -> None:
    baseline.create_all(op.get_bind(), checkfirst=True)
