"""Shopify Admin GraphQL 2025-01: customers as canonical customers, orders and abandoned
checkouts as canonical orders and behavioural events."""

from __future__ import annotations

from connectors.shopify.api import ThrottleStatus
from connectors.shopify.auth import expiring_token_auth, offline_token_auth
from connectors.shopify.client import Page, ShopifyConnector
from connectors.shopify.writes import RecordRejected

__all__ = [
    "Page",
    "RecordRejected",
    "ShopifyConnector",
    "ThrottleStatus",
    "expiring_token_auth",
    "offline_token_auth",
]
