"""The store's commerce and email data, each row belonging to one connected account (a shop, an
audience), never to a platform name: orders (with their UTM campaign and totals), campaigns
(with their stats), and how far each account's feed is read.

Money is kept exactly: an amount in ten-thousandths of its currency unit (`*_e4`, an integer),
so sums in SQL are exact on SQLite as on PostgreSQL. `utm_key` is the UTM campaign value
trimmed and lower-cased, the way attribution compares it; an index on (account, utm_key,
placed_at) answers a campaign's attributed orders within its window without a scan.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table, Text

from hub.store import metadata

ACCOUNT = 160  # as long as a shop's URL or an audience's name may reasonably be

orders = Table(
    "mgw_orders",
    metadata,
    Column("account", String(ACCOUNT), primary_key=True),
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
    Column("account", String(ACCOUNT), primary_key=True),
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
    Column("account", String(ACCOUNT), primary_key=True),
    Column("feed", String(32), primary_key=True),  # "orders" | "campaigns"
    Column("backfilled_at", DateTime(timezone=True), nullable=True),
    Column("through", DateTime(timezone=True), nullable=True),  # newest change read
    Column("checked_at", DateTime(timezone=True), nullable=True),
    Column("currency", String(3), nullable=True),  # the shop's (orders)
    Column("failure", Text, nullable=True),  # the last refresh's failure, if it failed
)
