"""Salesforce's change feed: every change since a time at once (one page), up to `through`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.base import RecordPage
from connectors.change_feeds import FeedPage, Position, changes_after


@dataclass(frozen=True)
class SalesforceFeed:
    """Salesforce's change feed answers every change since a time at once (one page)."""

    platform: Platform
    connector: Any

    def begin_changes(self, last: Position) -> Position:
        return changes_after(last)

    async def read(self, position: Position) -> FeedPage:
        if position.mode == "full":
            page: RecordPage = await self.connector.list_records(200, position.after)
            stamps = [record.updated_at for record in page.records]
            done = page.next_after is None
            return FeedPage(page.records, position.moved(page.next_after, stamps, done=done))
        if position.since is None:
            raise BrokenInvariant("expected position.since is not None")
        changes = await self.connector.records_changed_since(position.since)
        return FeedPage(changes.records, position.moved(None, [changes.through], done=True))
