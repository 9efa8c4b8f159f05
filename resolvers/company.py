"""The Company type: a HubSpot company or Salesforce Account (both, merged, when they share a
domain), with its people and deals. A federation entity keyed by `id`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from canonical_schema import Company
from resolvers.common import Info, Node, SourceRecordType, answer, checked_first

if TYPE_CHECKING:
    from resolvers.customer import CustomerType
    from resolvers.deal import DealType

Customer = Annotated["CustomerType", strawberry.lazy("resolvers.customer")]
Deal = Annotated["DealType", strawberry.lazy("resolvers.deal")]


@strawberry.federation.type(
    name="Company",
    keys=["id"],
    description=(
        "An organization customers belong to, from HubSpot (companies) and Salesforce "
        "(Accounts); one company when both hold the same domain."
    ),
)
class CompanyType(Node):
    name: str = strawberry.field(description="The company's name.")
    domain: str | None = strawberry.field(
        description="Its web domain, lower-cased and without `www.` (e.g. `acme.com`)."
    )
    industry: str | None = strawberry.field(description="Industry, as a readable label.")
    employees: int | None = strawberry.field(description="Number of employees, when recorded.")
    sources: list[SourceRecordType] = strawberry.field(
        description="The HubSpot company and/or Salesforce Account this company comes from."
    )
    model: strawberry.Private[Company]

    @strawberry.field(
        description=(
            "People who work there, merged from every platform: the HubSpot company's "
            "contacts and the Salesforce Account's Contacts. `first`: 0 to 100."
        )
    )
    async def customers(self, info: Info, first: int | None = 10) -> list[Customer]:
        from resolvers.customer import CustomerType

        size = checked_first(first, 10)
        emails = answer(info, await info.context.graph.company_people.load(self.model))[:size]
        reads = await info.context.customers_by_email.load_many(emails)
        found = []
        for read in reads:
            if read.failures:
                info.context.report(read.failures, tuple(info.path.as_list()))
            if read.customer is not None:
                found.append(CustomerType.from_model(read.customer, read.failures))
        return found

    @strawberry.field(
        description=(
            "The company's deals: HubSpot deals associated with it and the Account's "
            "Opportunities, latest close date first. `first`: 0 to 100."
        )
    )
    async def deals(self, info: Info, first: int | None = 10) -> list[Deal]:
        from resolvers.deal import DealType

        size = checked_first(first, 10)
        found = answer(info, await info.context.graph.company_deals.load(self.model))
        return [DealType.from_model(deal) for deal in found[:size]]

    @classmethod
    def from_model(cls, company: Company) -> CompanyType:
        return cls(
            id=strawberry.ID(company.id),
            name=company.name,
            domain=company.domain,
            industry=company.industry,
            employees=company.employees,
            sources=[SourceRecordType.from_model(s) for s in company.sources],
            model=company,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> CompanyType | None:
        """A federation `_entities` lookup by id."""
        found = answer(info, await info.context.graph.company.load(str(id)))
        return cls.from_model(found) if found else None
