"""Which feed syncs a connector: the one its platform's spec names (connectors/change_feeds.py)."""

from __future__ import annotations

from typing import Any

from connectors.change_feeds import Feed
from connectors.registry import spec_of


def feed_for(connector: Any) -> Feed | None:
    """The feed of a connected platform's connector; None for one that cannot be synced."""
    spec = spec_of(connector.platform)
    return spec.feed(connector) if spec.feed is not None else None
