"""The Query root. Resolvers translate arguments and call the hub; nothing else."""

from __future__ import annotations

from typing import Annotated

import strawberry

from access.scopes import READ_CUSTOMERS
from canonical_schema import is_customer_id, is_email, normalize_email
from hub.customer_list import CustomerFilter
from hub.exceptions import InvalidArgumentError
from hub.store_reads import MAX_STALENESS, checked_staleness
from resolvers.connection import CustomerConnection, CustomerFilterInput, CustomerSort
from resolvers.context import GatewayContext
from resolvers.errors import BadUserInputError
from resolvers.permissions import needs
from resolvers.types import CustomerEdge, CustomerType, PageInfo

Info = strawberry.Info[GatewayContext, None]
MaxStaleness = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "How old (seconds) stored data may be to answer: 0 reads every platform "
            "live; unset uses the gateway's bound (MGW_READ__MAX_STALENESS_SECONDS, "
            f"900 by default); at most {MAX_STALENESS} (30 days). `syncedAt` says "
            "how fresh the answer is."
        )
    ),
]


def _check_staleness(max_staleness: int | None) -> None:
    if max_staleness is None:
        return
    try:
        checked_staleness(max_staleness)
    except InvalidArgumentError as exc:
        raise BadUserInputError(str(exc)) from None


@strawberry.type
class Query:
    @strawberry.field(
        description=(
            "One customer, by `id` or by `email` (exactly one of them), merged from every "
            "connected platform. Null when no platform holds the person. When some platforms "
            "fail, the others still answer and each failure is listed in `errors` with the "
            "platform in `extensions`."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def customer(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        email: str | None = None,
        max_staleness: MaxStaleness = None,
    ) -> CustomerType | None:
        if (id is None) == (email is None):
            raise BadUserInputError("pass exactly one of `id` and `email`")
        _check_staleness(max_staleness)
        info.context.asked_within(max_staleness)
        if email is not None:
            if not is_email(email):
                raise BadUserInputError(f"`email` is not an email address: {email!r}")
            key = normalize_email(email)
            if max_staleness is None:
                read = await info.context.customers_by_email.load(key)
            else:
                [read] = await info.context.read.customers_by_email([key], max_staleness)
        else:
            if not is_customer_id(str(id)):
                return None
            if max_staleness is None:
                read = await info.context.customers_by_id.load(str(id))
            else:
                [read] = await info.context.read.customers_by_id([str(id)], max_staleness)
        if read.store_unavailable:
            info.context.store_unavailable = True
        if read.failures:
            if read.answered == 0 and read.customer is None:
                raise read.failures[0]
            # Some platforms answered, or every one failed and a stale cached copy answers.
            info.context.report(read.failures, tuple(info.path.as_list()))
        if read.customer is None:
            return None
        return CustomerType.from_model(read.customer, read.failures, max_staleness)

    @strawberry.field(
        description=(
            "A page of customers from the identity index (filled by sync): a segment when "
            "`filter` is given, in a stable order by id or by `sort`, each then read like "
            "`customer`. Pass the previous page's `pageInfo.endCursor` as `after` for the next "
            "one, with the same `filter` and `sort`. Before the first sync, an unfiltered list "
            "pages the first connected platform instead. `maxStaleness` as for `customer`."
        ),
        extensions=needs(READ_CUSTOMERS),
    )
    async def customers(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: CustomerFilterInput | None = None,
        sort: CustomerSort | None = None,
        max_staleness: MaxStaleness = None,
    ) -> CustomerConnection:
        _check_staleness(max_staleness)
        info.context.asked_within(max_staleness)
        if filter is not None:
            wanted: CustomerFilter | None = filter.to_filter(sort)
        elif sort is not None and sort is not CustomerSort.ID:
            wanted = CustomerFilterInput().to_filter(sort)
        else:
            wanted = None
        size = 20 if first is None else first
        page = await info.context.read.list_customers(size, after, wanted, max_staleness)
        edges = []
        for read, cursor in page.edges:
            if read.store_unavailable:
                info.context.store_unavailable = True
            if read.failures:
                info.context.report(read.failures, tuple(info.path.as_list()))
            if read.customer is not None:
                node = CustomerType.from_model(read.customer, read.failures, max_staleness)
                edges.append(CustomerEdge(cursor=cursor, node=node))
        return CustomerConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            list_filter=wanted,
            from_index=page.from_index,
        )
