"""The customers connection: a page of edges, and a total counted only when asked for."""

from __future__ import annotations

import strawberry

from resolvers.context import GatewayContext
from resolvers.types import CustomerEdge, PageInfo


@strawberry.type(description="A page of customers.")
class CustomerConnection:
    edges: list[CustomerEdge] = strawberry.field(description="The customers on this page.")
    page_info: PageInfo = strawberry.field(description="Whether and where the next page starts.")

    @strawberry.field(
        description=(
            "How many customers the list holds in all (not just this page). Costs one upstream "
            "search call, so it is only computed when selected."
        )
    )
    async def total_count(self, info: strawberry.Info[GatewayContext, None]) -> int:
        return await info.context.read.count_customers()
