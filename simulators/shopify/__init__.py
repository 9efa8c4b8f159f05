"""The Shopify Admin GraphQL 2025-01 simulator (customers, orders, abandoned checkouts, cost
throttle, expiring tokens, signed webhooks), mounted at `/shopify`."""

from __future__ import annotations

from simulators.shopify.platform import ShopifyPlatform

__all__ = ["ShopifyPlatform"]
