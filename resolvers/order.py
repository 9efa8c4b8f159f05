"""The Order type: a Shopify order, with the campaign it is attributed to."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from canonical_schema import Order
from canonical_schema.invariants import BrokenInvariant
from resolvers.common import Info, MoneyType, Node, answer

if TYPE_CHECKING:
    from resolvers.campaign import CampaignType

Campaign = Annotated["CampaignType", strawberry.lazy("resolvers.campaign")]


@strawberry.type(name="Order", description="A Shopify order.")
class OrderType(Node):
    name: str = strawberry.field(description="The shop's order name, e.g. `#1042`.")
    total: MoneyType = strawberry.field(description="The order total in the shop's currency.")
    placed_at: datetime = strawberry.field(description="When the order was placed (processed).")
    financial_status: str | None = strawberry.field(
        description="Payment state in lower case, e.g. `paid`, `refunded`, `pending`."
    )
    utm_campaign: str | None = strawberry.field(
        description="The UTM campaign of the buyer's last visit before the order, if any."
    )
    model: strawberry.Private[Order]

    @strawberry.field(
        description=(
            "The email campaign the order is attributed to: the one whose UTM value "
            "(Mailchimp `tracking.google_analytics`) equals `utmCampaign`, sent before the "
            "order and at most the attribution window (30 days by default) before it. Null "
            "when none is."
        )
    )
    async def campaign(self, info: Info) -> Campaign | None:
        from resolvers.campaign import CampaignType

        if not self.model.utm_campaign:
            return None
        key = (self.model.utm_campaign, self.model.placed_at)
        found = answer(info, await info.context.graph.campaign_of_order.load(key))
        return CampaignType.from_model(found) if found else None

    @classmethod
    def from_model(cls, order: Order) -> OrderType:
        total = MoneyType.from_model(order.total)
        if total is None:
            raise BrokenInvariant("expected total is not None")
        return cls(
            id=strawberry.ID(order.id),
            name=order.name,
            total=total,
            placed_at=order.placed_at,
            financial_status=order.financial_status,
            utm_campaign=order.utm_campaign,
            model=order,
        )
