"""Every table of the durable store, in one list on one `metadata`: opening the store
creates them all, whichever modules a process happens to import (docs/adr/0005-durable-store.md).
Each table is used by the module its comment names."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

metadata = MetaData()

# hub/store.py
secrets = Table(
    "mgw_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

# hub/store.py
identities = Table(
    "mgw_identities",
    metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

# hub/store.py
identity_links = Table(
    "mgw_identity_links",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True, server_default=""),
    Column("external_id", String(255), primary_key=True),
    Column("customer_id", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_identity_links_customer", "customer_id"),
)

# hub/identity_tables.py
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
    # what segments filter on (migration 0011_customer_segments)
    Column("lead_score", Integer, nullable=True),
    Column("email_consent", String(16), nullable=True),
    Column("total_spent_e4", BigInteger, nullable=True),
    Index("ix_mgw_index_records_customer", "customer_id", "platform"),
)

# hub/identity_tables.py
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
    # segments (hub/customer_list.py; migration 0011_customer_segments): merged like the rest
    Column("lead_score", Integer, nullable=True),
    Column("email_consent", String(16), nullable=True),
    Column("total_spent_e4", BigInteger, nullable=True),  # ten-thousandths, as orders keep money
    Index("ix_mgw_index_customers_domain", "email_domain", "customer_id"),
    Index("ix_mgw_index_customers_stage", "lifecycle_stage", "customer_id"),
    Index("ix_mgw_index_customers_updated", "updated_at"),
    Index("ix_mgw_index_customers_score", "lead_score", "customer_id"),
    Index("ix_mgw_index_customers_consent", "email_consent", "customer_id"),
    Index("ix_mgw_index_customers_spent", "total_spent_e4", "customer_id"),
    Index("ix_mgw_index_customers_synced", "synced_at", "customer_id"),
)

# hub/vault.py
credentials = Table(
    "mgw_credentials",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(128), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# hub/vault.py
audit_log = Table(
    "mgw_audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("action", String(32), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("account", String(128), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("reason", String(255), nullable=False),
)

# hub/inbox.py
webhook_events = Table(
    "mgw_webhook_events",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("topic", String(64), nullable=False),
    Column("email", String(320)),
    Column("external_id", String(255)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)

# hub/inbox.py
webhook_unprocessed = Table(
    "mgw_webhook_unprocessed",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("event_id", String(64), primary_key=True),
    Column("occurred_at", DateTime(timezone=True)),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# hub/write_log.py
write_requests = Table(
    "mgw_write_requests",
    metadata,
    Column("request_id", String(40), primary_key=True),
    Column("operation", String(40), nullable=False),
    Column("email", String(320), nullable=False),
    Column("customer_id", String(40), nullable=False),
    Column("change", Text, nullable=False),
    Column("targets", Text, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=True, unique=True),
    Column("correlation_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_write_requests_email", "email", "created_at"),
)

# hub/write_log.py
write_targets = Table(
    "mgw_write_targets",
    metadata,
    Column("request_id", String(40), primary_key=True),
    Column("platform", String(16), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("generation", Integer, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("external_id", String(255)),
    Column("dead_letter_id", String(40)),
    Column("error", Text),
    Column("last_response", Text),
    Column("first_failed_at", DateTime(timezone=True)),
    Column("last_failed_at", DateTime(timezone=True)),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_write_targets_status", "status"),
)

# hub/dead_letters.py
dead_letters = Table(
    "mgw_dead_letters",
    metadata,
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
    Column("first_failed_at", DateTime(timezone=True), nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Index("ix_mgw_dead_letters_state", "state", "platform", "seq"),
)

# gateway/security/api_keys.py
api_keys = Table(
    "mgw_api_keys",
    metadata,
    Column("id", String(12), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("scopes", String(255), nullable=False),
    Column("key_hash", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# sync_jobs/sync_runs.py
sync_runs = Table(
    "mgw_sync_runs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("platform", String(16), nullable=True, index=True),
    Column("full", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("records_read", Integer, nullable=False, default=0),
    Column("records_written", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
)

# sync_jobs/checkpoints.py
sync_checkpoints = Table(
    "mgw_sync_checkpoints",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True, server_default=""),
    Column("entity", String(32), primary_key=True),
    Column("position", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# sync_jobs/sync_lease.py
sync_leases = Table(
    "mgw_sync_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# sync_jobs/propagation.py
seen_values = Table(
    "mgw_propagation_seen",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("email", String(320), primary_key=True),
    Column("field", String(32), primary_key=True),
    Column("value", String(255), nullable=False),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)

# hub/store_records.py, hub/store_reads.py (the canonical store; migration 0002_customer_store)
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

# hub/store_records.py, hub/store_reads.py (migration 0003_account_keys)
store_people = Table(
    "mgw_store_people",
    metadata,
    Column("customer_id", String(40), primary_key=True),
    Column("read_at", DateTime(timezone=True), nullable=True),
    Column("written_at", DateTime(timezone=True), nullable=True),
)

# hub/order_store.py, hub/attribution_windows.py (orders and campaigns of each connected
# account; migration 0010_commerce_store). Money in ten-thousandths of its unit (`total_e4`), so
# sums are exact in SQL; `utm_key` is the UTM value trimmed and lower-cased, as attribution
# compares it; (account, utm_key, placed_at) answers a campaign's window without a scan.
orders = Table(
    "mgw_orders",
    metadata,
    Column("account", String(160), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("name", String(64), nullable=False),
    Column("customer_email", String(320), nullable=True),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("financial_status", String(32), nullable=True),
    Column("utm_key", String(255), nullable=True),
    Column("total_e4", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("body", Text, nullable=False),  # the canonical Order, JSON
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_orders_attribution", "account", "utm_key", "placed_at"),
    Index("ix_mgw_orders_customer", "account", "customer_email", "placed_at"),
)

campaigns = Table(
    "mgw_campaigns",
    metadata,
    Column("account", String(160), primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("utm_key", String(255), nullable=True),
    Column("body", Text, nullable=False),  # the canonical Campaign with its stats, JSON
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_campaigns_utm", "account", "utm_key", "sent_at"),
)

feeds = Table(
    "mgw_commerce_feeds",
    metadata,
    Column("account", String(160), primary_key=True),
    Column("feed", String(32), primary_key=True),  # "orders" | "campaigns"
    Column("backfilled_at", DateTime(timezone=True), nullable=True),
    Column("through", DateTime(timezone=True), nullable=True),  # newest change read
    Column("checked_at", DateTime(timezone=True), nullable=True),
    Column("currency", String(3), nullable=True),  # the shop's (orders)
    Column("failure", Text, nullable=True),  # the last refresh's failure, if it failed
)

# hub/entity_store.py, hub/graph_people.py (each person's company, deals and events as each
# connected account gave them; migration 0067_person_entities). One row per person's record on
# a platform and kind; `company_domain` is the company's (kind "company"), which segments filter
# on (hub/customer_list.py); (customer_id) finds a person's rows, whichever record they came by.
person_entities = Table(
    "mgw_person_entities",
    metadata,
    Column("platform", String(16), primary_key=True),
    Column("account", String(160), primary_key=True),
    Column("external_id", String(255), primary_key=True),  # the person's record there
    Column("kind", String(16), primary_key=True),  # "company" | "deals" | "events"
    Column("customer_id", String(40), nullable=False),
    Column("company_domain", String(255), nullable=True),
    Column("body", Text, nullable=False),  # the canonical company or list, JSON
    Column("synced_at", DateTime(timezone=True), nullable=False),
    Index("ix_mgw_person_entities_customer", "customer_id"),
    Index("ix_mgw_person_entities_domain", "company_domain", "customer_id"),
)
