"""The graph's read side beyond the customer itself: companies, deals, orders, events and
campaigns, each read a batch at a time (the resolvers' DataLoaders hand over whole batches).

`GraphReader` is built once per gateway from the same connectors the customer read service
uses, so every call shares their HTTP pools and rate limits; the attribution index it holds
lives as long as the gateway. Each read works from capabilities (`connectors/base.py`:
`CompanySource`, `DealSource`, `OrderSource`, `EventSource`, `CampaignSource`), never from a
named platform, and answers `Partial` values: what the platforms that answered could say, and
the failures of those that could not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from canonical_schema import Platform
from connectors.base import (
    CampaignSource,
    CompanySource,
    DealSource,
    EventSource,
    OrderLedgerSource,
    OrderSource,
)
from hub.attribution import AttributionIndex
from hub.graph_campaigns import CampaignReads
from hub.graph_companies import CompanyReads
from hub.graph_deals import DealReads
from hub.graph_events import EventReads
from hub.graph_orders import OrderReads


class GraphSettings(BaseModel):
    """`MGW_GRAPH__…`: how the graph's reads behave."""

    attribution_ttl_seconds: float = Field(
        300.0, gt=0, description="How long campaigns and attributed orders are reused."
    )
    attribution_rebuild_seconds: float = Field(
        3600.0, gt=0, description="How often the order ledger is rebuilt in full."
    )
    events_days: int = Field(
        730, ge=1, le=3650, description="How far back `Customer.events` reads Marketo activity."
    )


class GraphReader:
    def __init__(
        self,
        sources: Sequence[Any] = (),
        settings: GraphSettings | None = None,
    ) -> None:
        """The reader over `sources` (connectors), each used for what it can do."""
        options = settings or GraphSettings()
        ledger = [s for s in sources if isinstance(s, OrderLedgerSource)]
        campaigns = [s for s in sources if isinstance(s, CampaignSource)]
        self.index = AttributionIndex(
            ledger[0] if ledger else None,  # attribution counts one shop's orders
            campaigns[0] if campaigns else None,  # against one sender's campaigns
            ttl=options.attribution_ttl_seconds,
            full_every=options.attribution_rebuild_seconds,
        )
        self.companies = CompanyReads([s for s in sources if isinstance(s, CompanySource)])
        self.deals = DealReads([s for s in sources if isinstance(s, DealSource)])
        self.orders = OrderReads([s for s in sources if isinstance(s, OrderSource)])
        events = [s for s in sources if isinstance(s, EventSource)]
        self.events = EventReads(events, days=options.events_days)
        self.campaigns = CampaignReads(self.index)
        self.platforms: tuple[Platform, ...] = tuple(source.platform for source in sources)

    async def close(self) -> None:
        """Stop background work (the attribution index's refresh)."""
        await self.index.close()

    @classmethod
    def from_sources(
        cls, sources: Sequence[Any], settings: GraphSettings | None = None
    ) -> GraphReader:
        return cls(sources, settings)
