"""The graph's read side beyond the customer itself: companies, deals, orders, events and
campaigns, each read a batch at a time (the resolvers' DataLoaders hand over whole batches).

`GraphReader` is built once per gateway from the same connectors the customer read service
uses, so every call shares their HTTP pools and rate limits; the attribution index it holds
lives as long as the gateway. Each read answers `Partial` values: what the platforms that
answered could say, and the failures of those that could not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, Field

from connectors import CustomerSource
from connectors.feeds import CampaignFeed, OrderFeed
from connectors.hubspot import HubSpotConnector
from connectors.mailchimp import MailchimpConnector
from connectors.marketo import MarketoConnector
from connectors.salesforce import SalesforceConnector
from connectors.shopify import ShopifyConnector
from hub.attribution import Attribution
from hub.graph_campaigns import CampaignReads
from hub.graph_companies import CompanyReads
from hub.graph_crm import CrmSources
from hub.graph_deals import DealReads
from hub.graph_events import EventReads
from hub.graph_orders import OrderReads
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


S = TypeVar("S")


def _order_feed(connectors: Sequence[object]) -> OrderFeed | None:
    """The connected connector that holds orders, if any."""
    return next((c for c in connectors if isinstance(c, OrderFeed)), None)


def _campaign_feed(connectors: Sequence[object]) -> CampaignFeed | None:
    """The connected connector that sends campaigns, if any."""
    return next((c for c in connectors if isinstance(c, CampaignFeed)), None)


def _one(sources: Sequence[CustomerSource], kind: type[S]) -> S | None:
    return next((source for source in sources if isinstance(source, kind)), None)


class GraphReader:
    def __init__(
        self,
        *,
        hubspot: HubSpotConnector | None = None,
        salesforce: SalesforceConnector | None = None,
        shopify: ShopifyConnector | None = None,
        marketo: MarketoConnector | None = None,
        mailchimp: MailchimpConnector | None = None,
        settings: GraphSettings | None = None,
        store: Store | None = None,
    ) -> None:
        """Without a `store`, nothing is stored: no attribution (a reader for tests of the
        schema alone)."""
        options = settings or GraphSettings()
        crm = CrmSources(hubspot, salesforce)
        feeds = (hubspot, salesforce, shopify, marketo, mailchimp) if store else ()
        self.attribution = Attribution(
            store,
            _order_feed(feeds),
            _campaign_feed(feeds),
            window_days=options.attribution_window_days,
            ttl=options.attribution_ttl_seconds,
            rebuild=options.attribution_rebuild_seconds,
        )
        self.companies = CompanyReads(crm)
        self.deals = DealReads(crm)
        self.orders = OrderReads(shopify)
        self.events = EventReads(marketo, mailchimp, shopify, days=options.events_days)
        self.campaigns = CampaignReads(self.attribution)
        held = (hubspot, salesforce, shopify, marketo, mailchimp)
        self.platforms = tuple(source.platform for source in held if source is not None)

    async def close(self) -> None:
        """Stop background work (the attribution's refreshes)."""
        await self.attribution.close()

    @classmethod
    def from_sources(
        cls,
        sources: Sequence[CustomerSource],
        settings: GraphSettings | None = None,
        *,
        store: Store,
    ) -> GraphReader:
        """The reader over whichever of the five connectors `sources` holds."""
        return cls(
            hubspot=_one(sources, HubSpotConnector),
            salesforce=_one(sources, SalesforceConnector),
            shopify=_one(sources, ShopifyConnector),
            marketo=_one(sources, MarketoConnector),
            mailchimp=_one(sources, MailchimpConnector),
            settings=settings,
            store=store,
        )
