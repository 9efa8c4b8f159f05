"""Query roots of the graph beyond customers: `node`, `company`, `campaigns`."""

from __future__ import annotations

import strawberry

from access.scopes import READ_CUSTOMERS
from canonical_schema import Platform, RecordRef, is_customer_id
from resolvers.campaign import CampaignConnection, CampaignEdge, CampaignType
from resolvers.common import Info, Node, PageInfo, answer, checked_first
from resolvers.company import CompanyType
from resolvers.customer import CustomerType
from resolvers.deal import DealType
from resolvers.errors import BadUserInputError
from resolvers.order import OrderType
from resolvers.permissions import needs


async def _node(info: Info, id: str) -> Node | None:
    graph = info.context.graph
    if is_customer_id(id):
        read = await info.context.customers_by_id.load(id)
        if read.failures:
            info.context.report(read.failures, tuple(info.path.as_list()))
        return CustomerType.from_model(read.customer, read.failures) if read.customer else None
    ref = RecordRef.parse(id)
    if ref is None:
        return None
    if ref.kind == "company":
        company = answer(info, await graph.company.load(id))
        return CompanyType.from_model(company) if company else None
    if ref.kind == "deal":
        deal = answer(info, await graph.deal.load(id))
        return DealType.from_model(deal) if deal else None
    if ref.kind == "order":
        order = answer(info, await graph.order.load(id))
        return OrderType.from_model(order) if order else None
    campaign = answer(info, await graph.campaign.load(id))
    return CampaignType.from_model(campaign) if campaign else None


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "Any object by its id: customers (`cus_`), companies (`com_`), deals (`deal_`), "
            "orders (`ord_`) and campaigns (`cmp_`). Null for an id that names nothing."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, str(id))

    @strawberry.field(
        description=(
            "One company, by `id` or by web `domain` (exactly one of them; `acme.com`, no "
            "scheme or `www.`). By domain, HubSpot's and Salesforce's records of it are merged."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def company(
        self, info: Info, id: strawberry.ID | None = None, domain: str | None = None
    ) -> CompanyType | None:
        if (id is None) == (domain is None):
            raise BadUserInputError("pass exactly one of `id` and `domain`")
        if domain is not None:
            if not domain.strip() or "/" in domain or "." not in domain:
                raise BadUserInputError(f"`domain` is not a domain name: {domain!r}")
            found = answer(info, await info.context.graph.company_by_domain.load(domain))
        else:
            found = answer(info, await info.context.graph.company.load(str(id)))
        return CompanyType.from_model(found) if found else None

    @strawberry.field(
        description=(
            "Email campaigns with their stats and attributed orders and revenue, most "
            "recently sent first. `first`: 0 to 100; pass `pageInfo.endCursor` as `after` for "
            "the next page; `platform` keeps one platform's campaigns."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def campaigns(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        platform: Platform | None = None,
    ) -> CampaignConnection:
        size = checked_first(first, 20)
        page = await info.context.graph_reader.campaigns.page(size, after, platform)
        if page.failures:
            info.context.report(page.failures, tuple(info.path.as_list()))
        return CampaignConnection(
            edges=[CampaignEdge(cursor=c, node=CampaignType.from_model(m)) for m, c in page.edges],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )
