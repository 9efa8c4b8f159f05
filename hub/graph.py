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
    CompanySource,
    DealSource,
    EventSource,
    OrderSource,
)
from connectors.feeds import CampaignFeed, OrderFeed
from hub.attribution import Attribution
from hub.graph_campaigns import CampaignReads
from hub.graph_companies import CompanyReads
from hub.graph_deals import DealReads
from hub.graph_events import EventReads
from hub.graph_orders import OrderReads, StoredOrders
from hub.graph_people import PeopleEntities
from hub.identity import IdentityIndex
from hub.store import Store


class GraphSettings(BaseModel):
    """`MGW_GRAPH__…`: how the graph's reads behave."""

    attribution_ttl_seconds: float = Field(
        300.0,
        gt=0,
        description=(
            "How often stored campaigns and orders are read again from the platforms (only "
            "what changed since the last read)."
        ),
    )
    attribution_rebuild_seconds: float = Field(
        86_400.0,
        gt=0,
        description=(
            "How often the stored orders are read again in full (one bulk export), after "
            "which orders deleted upstream leave the store."
        ),
    )
    attribution_window_days: int = Field(
        30,
        ge=1,
        le=365,
        description=(
            "How long after a campaign is sent an order can be attributed to it: an order "
            "counts when placed after the send and within this many days."
        ),
    )
    events_days: int = Field(
        730, ge=1, le=3650, description="How far back `Customer.events` reads Marketo activity."
    )


class GraphReader:
    def __init__(
        self,
        sources: Sequence[Any] = (),
        settings: GraphSettings | None = None,
        store: Store | None = None,
        identity: IdentityIndex | None = None,
    ) -> None:
        """The reader over `sources` (connectors), each used for what it can do. Without a
        `store`, nothing is stored: no attribution (a reader for tests of the schema alone);
        without `identity` (whose store and accounts people's entities are kept under), every
        company, deal and event is read live."""
        options = settings or GraphSettings()
        feeds = sources if store is not None else ()
        orders = [s for s in feeds if isinstance(s, OrderFeed)]
        campaigns = [s for s in feeds if isinstance(s, CampaignFeed)]
        self.attribution = Attribution(
            store,
            orders[0] if orders else None,  # attribution counts one shop's orders
            campaigns[0] if campaigns else None,  # against one sender's campaigns
            window_days=options.attribution_window_days,
            ttl=options.attribution_ttl_seconds,
            rebuild=options.attribution_rebuild_seconds,
        )
        companies = [s for s in sources if isinstance(s, CompanySource)]
        self.companies = CompanyReads(companies, identity)
        self.deals = DealReads([s for s in sources if isinstance(s, DealSource)], identity)
        stored = StoredOrders(store, self.attribution) if store is not None else None
        self.orders = OrderReads([s for s in sources if isinstance(s, OrderSource)], stored)
        events = [s for s in sources if isinstance(s, EventSource)]
        self.events = EventReads(events, days=options.events_days, identity=identity, orders=stored)
        self.people = PeopleEntities([self.companies.stored, self.deals.stored, self.events.stored])
        """What sync and webhooks refresh of the people they read."""
        self.campaigns = CampaignReads(self.attribution)
        self.platforms: tuple[Platform, ...] = tuple(source.platform for source in sources)

    async def close(self) -> None:
        """Stop background work (the attribution's refreshes)."""
        await self.attribution.close()

    @classmethod
    def from_sources(
        cls,
        sources: Sequence[Any],
        settings: GraphSettings | None = None,
        *,
        store: Store,
        identity: IdentityIndex | None = None,
    ) -> GraphReader:
        return cls(sources, settings, store, identity)
