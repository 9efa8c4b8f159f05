"""The Query root. Resolvers translate arguments and call the hub; nothing else."""

from __future__ import annotations

import strawberry

from canonical_schema import is_customer_id, is_email, normalize_email
from resolvers.connection import CustomerConnection
from resolvers.context import GatewayContext
from resolvers.errors import BadUserInputError
from resolvers.types import CustomerEdge, CustomerType, PageInfo

Info = strawberry.Info[GatewayContext, None]


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "One customer, by `id` or by `email` (exactly one of them), merged from every "
            "connected platform. Null when no platform holds the person. When some platforms "
            "fail, the others still answer and each failure is listed in `errors` with the "
            "platform in `extensions`."
        )
    )
    async def customer(
        self, info: Info, id: strawberry.ID | None = None, email: str | None = None
    ) -> CustomerType | None:
        if (id is None) == (email is None):
            raise BadUserInputError("pass exactly one of `id` and `email`")
        if email is not None:
            if not is_email(email):
                raise BadUserInputError(f"`email` is not an email address: {email!r}")
            read = await info.context.customers_by_email.load(normalize_email(email))
        else:
            if not is_customer_id(str(id)):
                return None
            read = await info.context.customers_by_id.load(str(id))
        if read.failures:
            if read.answered == 0 and read.customer is None:
                raise read.failures[0]
            # Some platforms answered, or every one failed and a stale cached copy answers.
            info.context.report(read.failures, tuple(info.path.as_list()))
        return CustomerType.from_model(read.customer) if read.customer else None

    @strawberry.field(
        description=(
            "A page of customers, in the order of the first connected platform that lists them. "
            "Pass the previous page's `pageInfo.endCursor` as `after` for the next one."
        )
    )
    async def customers(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
    ) -> CustomerConnection:
        page = await info.context.read.list_customers(20 if first is None else first, after)
        edges = []
        for read, cursor in page.edges:
            if read.failures:
                info.context.report(read.failures, tuple(info.path.as_list()))
            if read.customer is not None:
                edges.append(
                    CustomerEdge(cursor=cursor, node=CustomerType.from_model(read.customer))
                )
        return CustomerConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )
