"""The Campaign type, its stats and attribution, and the campaigns connection."""

from __future__ import annotations

from datetime import datetime

import strawberry

from canonical_schema import Campaign, CampaignStats, Platform
from resolvers.common import Info, MoneyType, Node, PageInfo, answer


@strawberry.type(name="CampaignStats", description="How a sent campaign performed.")
class CampaignStatsType:
    sent: int = strawberry.field(description="Emails sent.")
    opens: int = strawberry.field(description="Recipients who opened it (unique).")
    clicks: int = strawberry.field(description="Recipients who clicked a link (unique).")
    unsubscribes: int = strawberry.field(description="Recipients who unsubscribed through it.")
    open_rate: float | None = strawberry.field(description="Unique opens / delivered, 0 to 1.")
    click_rate: float | None = strawberry.field(description="Unique clicks / delivered, 0 to 1.")

    @classmethod
    def from_model(cls, stats: CampaignStats | None) -> CampaignStatsType | None:
        if stats is None:
            return None
        return cls(
            sent=stats.sent,
            opens=stats.opens,
            clicks=stats.clicks,
            unsubscribes=stats.unsubscribes,
            open_rate=stats.open_rate,
            click_rate=stats.click_rate,
        )


@strawberry.type(
    name="Campaign",
    description=(
        "An email campaign, with the orders and revenue attributed to it: an order belongs to "
        "the campaign whose UTM campaign value its last visit carried."
    ),
)
class CampaignType(Node):
    name: str = strawberry.field(description="The campaign's title (else its subject line).")
    platform: Platform = strawberry.field(description="The platform that sent it.")
    status: str = strawberry.field(
        description="The platform's status, e.g. `sent`, `save`, `schedule`."
    )
    sent_at: datetime | None = strawberry.field(description="When it was sent; null if not yet.")
    stats: CampaignStatsType | None = strawberry.field(
        description="Sends, opens, clicks and unsubscribes; null before it is sent."
    )
    utm_campaign: str | None = strawberry.field(
        description="The UTM campaign value its links carry (Mailchimp `google_analytics`)."
    )
    model: strawberry.Private[Campaign]

    @strawberry.field(
        description=(
            "How many orders came from this campaign: orders whose last visit's UTM campaign "
            "equals `utmCampaign`, placed after the campaign was sent and within the "
            "attribution window (30 days by default). Counted over the orders the gateway "
            "stores (an order webhook moves it within seconds); null, with an error saying "
            "why, while the shop's orders have not been read yet."
        )
    )
    async def attributed_orders(self, info: Info) -> int | None:
        tally = answer(info, await info.context.graph.tally.load(self.model))
        return tally.orders if tally else None

    @strawberry.field(
        description=(
            "The total of the attributed orders, in the shop's currency; null when none are "
            "attributed or the orders are unknown."
        )
    )
    async def attributed_revenue(self, info: Info) -> MoneyType | None:
        tally = answer(info, await info.context.graph.tally.load(self.model))
        return MoneyType.from_model(tally.revenue) if tally else None

    @classmethod
    def from_model(cls, campaign: Campaign) -> CampaignType:
        return cls(
            id=strawberry.ID(campaign.id),
            name=campaign.name,
            platform=campaign.platform,
            status=campaign.status,
            sent_at=campaign.sent_at,
            stats=CampaignStatsType.from_model(campaign.stats),
            utm_campaign=campaign.utm_campaign,
            model=campaign,
        )


@strawberry.type(description="A campaign in a list, with the cursor just after it.")
class CampaignEdge:
    cursor: str = strawberry.field(description="Opaque cursor; pass as `after` to resume here.")
    node: CampaignType = strawberry.field(description="The campaign.")


@strawberry.type(description="A page of campaigns, most recently sent first.")
class CampaignConnection:
    edges: list[CampaignEdge] = strawberry.field(description="The campaigns on this page.")
    page_info: PageInfo = strawberry.field(description="Whether and where the next page starts.")
    total_count: int = strawberry.field(description="How many campaigns match, in all.")
