"""Which order a Shopify `orders/*` webhook names. The REST payload carries the numeric `id`
(an `orders/delete` payload carries nothing else); the order is read again by its GID."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.feeds import OrderNotice


def order_named(topic: str, payload: Mapping[str, Any]) -> OrderNotice | None:
    """`orders/create`, `orders/updated`, `orders/paid`, `orders/cancelled`, … name an order to
    read again; `orders/delete` one that is gone; other topics none."""
    number = payload.get("id")
    if not topic.startswith("orders/") or not isinstance(number, int) or number <= 0:
        return None
    return OrderNotice(f"gid://shopify/Order/{number}", deleted=topic == "orders/delete")
