"""The BehavioralEvent type: something a customer did, or that happened to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from canonical_schema import BehavioralEvent, EventType, Platform, RecordRef
from hub.capabilities import Capability, with_capability
from resolvers.common import Info, answer

if TYPE_CHECKING:
    from resolvers.campaign import CampaignType

Campaign = Annotated["CampaignType", strawberry.lazy("resolvers.campaign")]


@strawberry.type(
    name="BehavioralEvent",
    description="Something a customer did, or that happened to them, on one platform.",
)
class BehavioralEventType:
    id: strawberry.ID = strawberry.field(
        description="Stable id: the same platform event always has the same id."
    )
    type: EventType = strawberry.field(description="What kind of event it is.")
    platform: Platform = strawberry.field(description="The platform that recorded it.")
    occurred_at: datetime = strawberry.field(description="When it happened.")
    properties: JSON = strawberry.field(
        description=(
            "Platform details as JSON: e.g. a click's `url`, an order's `total` and "
            "`currency`, a form's or page's name, a lead score's new value."
        )
    )
    model: strawberry.Private[BehavioralEvent]

    @strawberry.field(
        description=(
            "The email campaign the event belongs to: the Mailchimp campaign of an email "
            "event, or the campaign an order is attributed to. Null otherwise."
        )
    )
    async def campaign(self, info: Info) -> Campaign | None:
        from resolvers.campaign import CampaignType

        event = self.model
        graph = info.context.graph
        sends_campaigns = event.platform in with_capability(Capability.CAMPAIGNS)
        if sends_campaigns and event.campaign_external_id:
            ref = RecordRef("campaign", event.platform, event.campaign_external_id)
            found = answer(info, await graph.campaign.load(ref.public_id()))
        elif event.type is EventType.ORDER_PLACED and event.campaign_name:
            key = (event.campaign_name, event.occurred_at)
            found = answer(info, await graph.campaign_of_order.load(key))
        else:
            return None
        return CampaignType.from_model(found) if found else None

    @classmethod
    def from_model(cls, event: BehavioralEvent) -> BehavioralEventType:
        return cls(
            id=strawberry.ID(event.id),
            type=event.type,
            platform=event.platform,
            occurred_at=event.occurred_at,
            properties=JSON(event.properties),
            model=event,
        )
