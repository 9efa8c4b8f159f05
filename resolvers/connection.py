"""The customers connection, its filter, and a total counted only when asked for."""

from __future__ import annotations

from datetime import datetime

import strawberry

from canonical_schema import LifecycleStage, Platform
from hub.customer_list import CustomerFilter
from resolvers.context import GatewayContext
from resolvers.types import CustomerEdge, PageInfo


@strawberry.input(
    name="CustomerFilter",
    description=(
        "Which customers `customers` lists; every given condition must hold. Filters read the "
        "identity index, as of each platform's last sync."
    ),
)
class CustomerFilterInput:
    lifecycle_stage: LifecycleStage | None = strawberry.field(
        default=None, description="Only customers at this stage (merged across platforms)."
    )
    platform: Platform | None = strawberry.field(
        default=None, description="Only customers this platform holds a record of."
    )
    updated_since: datetime | None = strawberry.field(
        default=None,
        description="Only customers some platform changed at or after this time (with offset).",
    )
    email_domain: str | None = strawberry.field(
        default=None,
        description="Only customers whose email is at exactly this domain, e.g. `example.com`.",
    )

    def to_filter(self) -> CustomerFilter:
        return CustomerFilter(
            lifecycle_stage=self.lifecycle_stage,
            platform=self.platform,
            updated_since=self.updated_since,
            email_domain=self.email_domain,
        )


@strawberry.type(description="A page of customers.")
class CustomerConnection:
    edges: list[CustomerEdge] = strawberry.field(description="The customers on this page.")
    page_info: PageInfo = strawberry.field(description="Whether and where the next page starts.")
    list_filter: strawberry.Private[CustomerFilter | None] = None
    from_index: strawberry.Private[bool] = True

    @strawberry.field(
        description=(
            "How many customers the list holds in all (not just this page), with the same "
            "filter: an exact count over the identity index. Before the first sync, the first "
            "platform's own count. Only computed when selected."
        )
    )
    async def total_count(self, info: strawberry.Info[GatewayContext, None]) -> int:
        return await info.context.read.count_customers(self.list_filter, from_index=self.from_index)
