"""Order webhooks into the store: the orders a delivery names are read again (one batched call)
and stored, deleted ones forgotten, so attribution counts them within seconds of the webhook.

Which events name orders is the order feed's to say (`OrderFeed.order_named`); a read that
fails leaves the orders to the next incremental refresh (at most `attribution_ttl_seconds`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from canonical_schema import Platform
from connectors.exceptions import ConnectorError
from hub.attribution import Attribution
from hub.inbox import KeptEvent

logger = logging.getLogger("mgw.webhooks")


async def store_orders(
    attribution: Attribution, platform: Platform, events: Sequence[KeptEvent]
) -> int:
    """Store the orders these events name; how many were read or forgotten."""
    feed = attribution.order_feed
    if feed is None or feed.platform is not platform:
        return 0
    notices = [n for e in events if (n := feed.order_named(e.topic, e.payload)) is not None]
    gone = sorted({n.external_id for n in notices if n.deleted})
    changed = sorted({n.external_id for n in notices if not n.deleted} - set(gone))
    if not notices:
        return 0
    try:
        found = await feed.orders_by_id(changed) if changed else {}
    except ConnectorError as exc:
        unread = len(changed)
        logger.warning("%s: could not read %d changed order(s): %s", platform, unread, exc)
        found = {}
    await attribution.orders_changed(list(found.values()), gone)
    return len(found) + len(gone)
