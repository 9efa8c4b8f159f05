"""The Deal type: a HubSpot deal or a Salesforce Opportunity."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from canonical_schema import Deal, DealStatus
from resolvers.common import Info, MoneyType, Node, SourceRecordType, answer

if TYPE_CHECKING:
    from resolvers.company import CompanyType

Company = Annotated["CompanyType", strawberry.lazy("resolvers.company")]


@strawberry.type(
    name="Deal", description="A sales opportunity: a HubSpot deal or a Salesforce Opportunity."
)
class DealType(Node):
    name: str = strawberry.field(description="The deal's name.")
    amount: MoneyType | None = strawberry.field(
        description="Its value in the CRM's currency; null when none was entered."
    )
    stage: str | None = strawberry.field(
        description="The pipeline stage as the CRM names it (HubSpot stage id, Salesforce name)."
    )
    status: DealStatus = strawberry.field(description="OPEN, or WON or LOST once closed.")
    close_date: date | None = strawberry.field(
        description="When it closed, or is expected to close."
    )
    sources: list[SourceRecordType] = strawberry.field(
        description="The CRM record this deal comes from."
    )
    model: strawberry.Private[Deal]

    @strawberry.field(
        description=(
            "The company the deal is with: the Opportunity's Account, or the HubSpot deal's "
            "primary associated company."
        )
    )
    async def company(self, info: Info) -> Company | None:
        from resolvers.company import CompanyType

        company_id = answer(info, await info.context.graph.deal_company_id.load(self.model))
        if company_id is None:
            return None
        found = answer(info, await info.context.graph.company.load(company_id))
        return CompanyType.from_model(found) if found else None

    @classmethod
    def from_model(cls, deal: Deal) -> DealType:
        return cls(
            id=strawberry.ID(deal.id),
            name=deal.name,
            amount=MoneyType.from_model(deal.amount),
            stage=deal.stage,
            status=deal.status,
            close_date=deal.close_date,
            sources=[SourceRecordType.from_model(s) for s in deal.sources],
            model=deal,
        )
