"""Each platform's records as pages a sync can checkpoint between: full walks and change feeds.

A `Position` is a walk through one platform's records: a full walk (`list_records` from the
start) or a changes walk (the platform's change feed from `since`). `after` is the feed's own
cursor inside the walk, `high` the latest update time seen in it, and `done` says the walk
reached its end. Each platform's spec names its feed (`PlatformSpec.feed`): most page both
walks with an opaque cursor (`paged`); Salesforce and Marketo have feeds of their own
(`connectors/salesforce/feed.py`, `connectors/marketo/feed.py`).

A full walk starts `FULL_OVERLAP` before the gateway's clock says it started, and the changes
walk after it begins there, so a record changed while the full walk was passing is read again
rather than missed. A changes walk after another starts one second before the latest update
the last one saw (the feeds compare to the second, some exclusively): boundary records are
read twice, which the index ignores (hub/identity_records.py).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from canonical_schema import CustomerRecord, Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.base import RecordPage


@dataclass(frozen=True)
class Position:
    mode: Literal["full", "changes"]
    since: datetime | None = None
    """changes: the feed starts after this time. full: where the changes walk after it starts."""
    after: str | None = None
    high: datetime | None = None
    done: bool = False

    def moved(self, after: str | None, seen: list[datetime | None], *, done: bool) -> Position:
        """This walk after one more page: its cursor, the latest time seen, whether it ended."""
        stamps = [stamp for stamp in seen if stamp is not None]
        if self.high is not None:
            stamps.append(self.high)
        return replace(self, after=after, high=max(stamps, default=None), done=done)

    def to_json(self) -> str:
        data = asdict(self)
        for name in ("since", "high"):
            data[name] = data[name].isoformat() if data[name] else None
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Position:
        data = json.loads(text)
        for name in ("since", "high"):
            data[name] = datetime.fromisoformat(data[name]) if data[name] else None
        return cls(**data)


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


def paged(list_size: int, change_size: int, changes: str) -> Callable[[Any], Feed | None]:
    """The feed of a connector whose list and changes (its method `changes`:
    `(since, limit, after) -> RecordPage`) both page with an opaque cursor, at these sizes."""

    def feed(connector: Any) -> Feed | None:
        changed = getattr(connector, changes, None)
        if changed is None:
            return None

        async def list_page(after: str | None) -> RecordPage:
            page: RecordPage = await connector.list_records(list_size, after)
            return page

        async def changes_page(since: datetime, after: str | None) -> RecordPage:
            page: RecordPage = await changed(since, change_size, after)
            return page

        return PagedFeed(connector.platform, list_page, changes_page)

    return feed
