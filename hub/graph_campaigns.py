"""Campaigns: pages of them with stable cursors, by id, by UTM value, with attribution.

Campaigns come from the connected campaign feed, as stored by the attribution service
(hub/attribution.py). A page's cursor is the last campaign's (sent time, id), so
a page resumes after the same campaign even when newer campaigns were sent in between.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from canonical_schema import Campaign, Platform, RecordRef
from connectors.exceptions import ConnectorError
from hub.attribution import Attribution, Tally
from hub.exceptions import InvalidArgumentError, InvalidCursorError
from hub.graph_base import Partial

MAX_PAGE = 100
_CURSOR_KIND = "cmp"


@dataclass(frozen=True)
class CampaignPage:
    edges: Sequence[tuple[Campaign, str]]
    has_next_page: bool
    total_count: int
    failures: tuple[ConnectorError, ...] = ()

    @property
    def end_cursor(self) -> str | None:
        return self.edges[-1][1] if self.edges else None


def _cursor(campaign: Campaign) -> str:
    sent = campaign.sent_at.isoformat() if campaign.sent_at else None
    raw = json.dumps([_CURSOR_KIND, sent, campaign.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(cursor: str) -> tuple[str | None, str]:
    try:
        kind, sent, campaign_id = json.loads(
            base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        )
    except (binascii.Error, ValueError, TypeError) as exc:
        raise InvalidCursorError(f"`after` is not a campaigns cursor: {cursor!r}") from exc
    if kind != _CURSOR_KIND or not isinstance(campaign_id, str):
        raise InvalidCursorError(f"`after` is not a campaigns cursor: {cursor!r}")
    return sent, campaign_id


class CampaignReads:
    def __init__(self, index: Attribution) -> None:
        self._index = index

    async def page(self, first: int, after: str | None, platform: Platform | None) -> CampaignPage:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidArgumentError(f"`first` must be between 0 and {MAX_PAGE}, not {first}")
        start = _position(after) if after is not None else None
        read = await self._index.campaigns()
        listed = [c for c in read.value if platform is None or c.platform is platform]
        if start is not None:
            ids = [c.id for c in listed]
            if start[1] in ids:
                listed = listed[ids.index(start[1]) + 1 :]
            else:  # the campaign was deleted: resume by its position in the order
                listed = [c for c in listed if _after(c, start)]
        page = listed[:first]
        return CampaignPage(
            edges=[(c, _cursor(c)) for c in page],
            has_next_page=len(listed) > first,
            total_count=len([c for c in read.value if platform is None or c.platform is platform]),
            failures=read.failures,
        )

    async def by_id(self, campaign_ids: Sequence[str]) -> list[Partial[Campaign | None]]:
        read = await self._index.campaigns()
        by_id = {c.id: c for c in read.value}
        found: list[Partial[Campaign | None]] = []
        for campaign_id in campaign_ids:
            ref = RecordRef.parse(campaign_id)
            known = ref is not None and ref.kind == "campaign"
            found.append(Partial(by_id.get(campaign_id), read.failures) if known else Partial(None))
        return found

    async def of_orders(
        self, orders: Sequence[tuple[str | None, datetime]]
    ) -> list[Partial[Campaign | None]]:
        """The campaign each (UTM value, placed at) order is attributed to (None for none)."""
        read = await self._index.campaign_for(orders)
        return [Partial(found, read.failures) if found else Partial(None) for found in read.value]

    async def tallies(self, campaigns: Sequence[Campaign]) -> list[Partial[Tally | None]]:
        """Each campaign's attributed orders and revenue; None when the orders are unknown."""
        read = await self._index.tallies(campaigns)
        if read.value is None:
            return [Partial(None, read.failures) for _ in campaigns]
        return [Partial(read.value.get(c.id), read.failures) for c in campaigns]


def _after(campaign: Campaign, start: tuple[str | None, str]) -> bool:
    sent = campaign.sent_at.isoformat() if campaign.sent_at else None
    if (sent is None) != (start[0] is None):
        return sent is None  # unsent campaigns come after every sent one
    if sent == start[0]:
        return campaign.id > start[1] if sent is None else campaign.id < start[1]
    return sent < start[0] if sent and start[0] else False
