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
from connectors.hubspot import HubSpotConnector
from connectors.mailchimp import MailchimpConnector
from connectors.marketo import MarketoConnector
from connectors.salesforce import SalesforceConnector
from connectors.shopify import ShopifyConnector
from hub.attribution import AttributionIndex
from hub.graph_campaigns import CampaignReads
from hub.graph_companies import CompanyReads
from hub.graph_crm import CrmSources
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


S = TypeVar("S")


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
    ) -> None:
        options = settings or GraphSettings()
        crm = CrmSources(hubspot, salesforce)
        self.index = AttributionIndex(
            shopify,
            mailchimp,
            ttl=options.attribution_ttl_seconds,
            full_every=options.attribution_rebuild_seconds,
        )
        self.companies = CompanyReads(crm)
        self.deals = DealReads(crm)
        self.orders = OrderReads(shopify)
        self.events = EventReads(marketo, mailchimp, shopify, days=options.events_days)
        self.campaigns = CampaignReads(self.index)
        held = (hubspot, salesforce, shopify, marketo, mailchimp)
        self.platforms = tuple(source.platform for source in held if source is not None)

    async def close(self) -> None:
        """Stop background work (the attribution index's refresh)."""
        await self.index.close()

    @classmethod
    def from_sources(
        cls, sources: Sequence[CustomerSource], settings: GraphSettings | None = None
    ) -> GraphReader:
        """The reader over whichever of the five connectors `sources` holds."""
        return cls(
            hubspot=_one(sources, HubSpotConnector),
            salesforce=_one(sources, SalesforceConnector),
            shopify=_one(sources, ShopifyConnector),
            marketo=_one(sources, MarketoConnector),
            mailchimp=_one(sources, MailchimpConnector),
            settings=settings,
        )
