"""Marketo's walks: a full walk is the connector's `full_page` (by default a bulk export of
one creation window a page); the change feed is the lead-change paging token,
kept as the checkpoint, so a walk goes on exactly where the last one stopped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.base import RecordPage
from connectors.change_feeds import FeedPage, Position, changes_after


@dataclass(frozen=True)
class MarketoFeed:
    """Marketo's change feed goes on from its paging token, kept as the checkpoint."""

    platform: Platform
    connector: Any

    def begin_changes(self, last: Position) -> Position:
        if last.mode == "changes" and last.after is not None:
            return Position("changes", since=last.since, after=last.after)
        return changes_after(last)

    async def read(self, position: Position) -> FeedPage:
        if position.mode == "full":
            page: RecordPage = await self.connector.full_page(position.after)
            stamps = [record.updated_at for record in page.records]
            done = page.next_after is None
            return FeedPage(page.records, position.moved(page.next_after, stamps, done=done))
        if position.since is None:
            raise BrokenInvariant("expected position.since is not None")
        changes = await self.connector.lead_changes(position.since, position.after)
        found = await self.connector.records_by_id(changes.lead_ids)
        records = [found[lead_id] for lead_id in changes.lead_ids if lead_id in found]
        stamps = [record.updated_at for record in records]
        moved = position.moved(changes.next_token, stamps, done=not changes.more)
        return FeedPage(records, moved)
