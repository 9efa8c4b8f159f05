"""Each platform's records as pages a sync can checkpoint between: full walks and change feeds.

| platform | full walk | change feed (checkpoint) |
|---|---|---|
| HubSpot | `list_records` | `records_changed_since`: search on `lastmodifieddate`, keyset cursor |
| Salesforce | `list_records` (by Id) | `records_changed_since`: `SystemModstamp`, `through` |
| Shopify | `list_records` | `records_changed_since`: `updated_at`, Shopify's cursor |
| Marketo | `list_records` (New Lead activities) | `lead_changes`: the lead-change paging token |
| Mailchimp | `list_records` (offset) | `members_changed_since`: `since_last_changed` |

A full walk starts `FULL_OVERLAP` before the gateway's clock says it started, and the changes
walk after it begins there, so a record changed while the full walk was passing is read again
rather than missed. A changes walk after another starts one second before the latest update
the last one saw (the feeds compare to the second, some exclusively): boundary records are
read twice, which the index ignores (hub/identity_records.py). Marketo instead goes on from its
last paging token, which is exactly where the last walk stopped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from canonical_schema import CustomerRecord, Platform
from canonical_schema.invariants import BrokenInvariant
from connectors import RecordPage
from connectors.hubspot import client as hubspot
from connectors.mailchimp import client as mailchimp
from connectors.shopify import client as shopify
from sync_jobs.checkpoints import Position

FULL_OVERLAP = timedelta(minutes=5)
BOUNDARY = timedelta(seconds=1)


@dataclass(frozen=True)
class FeedPage:
    records: Sequence[CustomerRecord]
    next: Position


class Feed(Protocol):
    @property
    def platform(self) -> Platform: ...

    def begin_changes(self, last: Position) -> Position: ...

    async def read(self, position: Position) -> FeedPage: ...


def begin_full(now: datetime) -> Position:
    return Position("full", since=now - FULL_OVERLAP)


def changes_after(last: Position) -> Position:
    """The changes walk that follows a finished walk."""
    since = last.since
    if last.mode == "changes" and last.high is not None:
        since = last.high - BOUNDARY
    return Position("changes", since=since)


ListPage = Callable[[str | None], Awaitable[RecordPage]]
ChangesPage = Callable[[datetime, str | None], Awaitable[RecordPage]]


@dataclass(frozen=True)
class PagedFeed:
    """A platform whose list and change feed both page with an opaque cursor."""

    platform: Platform
    list_page: ListPage
    changes_page: ChangesPage

    def begin_changes(self, last: Position) -> Position:
        return changes_after(last)

    async def read(self, position: Position) -> FeedPage:
        if position.mode == "full":
            page = await self.list_page(position.after)
        else:
            if position.since is None:
                raise BrokenInvariant("expected position.since is not None")
            page = await self.changes_page(position.since, position.after)
        stamps = [record.updated_at for record in page.records]
        done = page.next_after is None
        return FeedPage(page.records, position.moved(page.next_after, stamps, done=done))


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
            page: RecordPage = await self.connector.list_records(300, position.after)
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


PAGE_SIZES = {  # list page, changes page: each platform's largest
    Platform.HUBSPOT: (hubspot.PAGE_LIMIT, hubspot.SEARCH_LIMIT),
    Platform.SHOPIFY: (shopify.CUSTOMER_PAGE, shopify.CUSTOMER_PAGE),
    Platform.MAILCHIMP: (mailchimp.PAGE_LIMIT, mailchimp.PAGE_LIMIT),
}
CHANGES = {
    Platform.HUBSPOT: "records_changed_since",
    Platform.SHOPIFY: "records_changed_since",
    Platform.MAILCHIMP: "members_changed_since",
}


def feed_for(connector: Any) -> Feed | None:
    """The feed of a connected platform's connector; None for one that cannot be synced."""
    platform: Platform = connector.platform
    if platform is Platform.SALESFORCE:
        return SalesforceFeed(platform, connector)
    if platform is Platform.MARKETO:
        return MarketoFeed(platform, connector)
    if platform not in CHANGES or not hasattr(connector, CHANGES[platform]):
        return None
    list_size, change_size = PAGE_SIZES[platform]
    changed = getattr(connector, CHANGES[platform])

    async def list_page(after: str | None) -> RecordPage:
        page: RecordPage = await connector.list_records(list_size, after)
        return page

    async def changes_page(since: datetime, after: str | None) -> RecordPage:
        page: RecordPage = await changed(since, change_size, after)
        return page

    return PagedFeed(platform, list_page, changes_page)
