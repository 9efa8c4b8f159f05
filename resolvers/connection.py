"""The customers connection, its filter, and a total counted only when asked for."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from canonical_schema import EmailConsent, LifecycleStage, Platform
from hub.customer_list import CustomerFilter, amount
from hub.customer_list import CustomerSort as ListOrder
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
    lead_score_min: int | None = strawberry.field(
        default=None, description="Only customers with a lead score of at least this."
    )
    lead_score_max: int | None = strawberry.field(
        default=None, description="Only customers with a lead score of at most this."
    )
    email_consent: EmailConsent | None = strawberry.field(
        default=None, description="Only customers with this email consent (merged)."
    )
    total_spent_min: float | None = strawberry.field(
        default=None,
        description="Only customers who spent at least this much (in the shop's currency).",
    )
    total_spent_max: float | None = strawberry.field(
        default=None,
        description="Only customers who spent at most this much (in the shop's currency).",
    )
    synced_since: datetime | None = strawberry.field(
        default=None,
        description="Only customers the store last wrote at or after this time (with offset).",
    )

    company_domain: str | None = strawberry.field(
        default=None,
        description=(
            "Only customers whose company (HubSpot's or Salesforce's, as the store last read "
            "it) has exactly this domain, e.g. `acme.com`."
        ),
    )

    def to_filter(self, sort: CustomerSort | None = None) -> CustomerFilter:
        return CustomerFilter(
            lifecycle_stage=self.lifecycle_stage,
            platform=self.platform,
            updated_since=self.updated_since,
            email_domain=self.email_domain,
            lead_score_min=self.lead_score_min,
            lead_score_max=self.lead_score_max,
            email_consent=self.email_consent,
            total_spent_min=amount(self.total_spent_min, "totalSpentMin"),
            total_spent_max=amount(self.total_spent_max, "totalSpentMax"),
            synced_since=self.synced_since,
            company_domain=self.company_domain,
            sort=_ORDERS[sort or CustomerSort.ID],
        )


@strawberry.enum(description="The order of `customers`: by id, or by a value, highest first.")
class CustomerSort(Enum):
    ID = strawberry.enum_value("id", description="By id: stable, the default.")
    UPDATED_AT_DESC = strawberry.enum_value(
        "updated_at", description="Most recently changed on some platform first."
    )
    LEAD_SCORE_DESC = strawberry.enum_value("lead_score", description="Highest lead score first.")
    TOTAL_SPENT_DESC = strawberry.enum_value("total_spent", description="Biggest spenders first.")
    SYNCED_AT_DESC = strawberry.enum_value(
        "synced_at", description="Most recently written by the store first."
    )


_ORDERS = {
    CustomerSort.ID: ListOrder.ID,
    CustomerSort.UPDATED_AT_DESC: ListOrder.UPDATED_AT,
    CustomerSort.LEAD_SCORE_DESC: ListOrder.LEAD_SCORE,
    CustomerSort.TOTAL_SPENT_DESC: ListOrder.TOTAL_SPENT,
    CustomerSort.SYNCED_AT_DESC: ListOrder.SYNCED_AT,
}
"""People without the value come last, ties by id."""


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
