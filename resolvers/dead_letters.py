"""The dead-letter queue in the graph: `deadLetters` lists the writes that failed for good."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from access.scopes import ADMIN_DLQ
from canonical_schema import Platform
from hub.dead_letters import DeadLetter
from resolvers.common import Node, PageInfo, checked_first
from resolvers.context import GatewayContext
from resolvers.mutations import write_service
from resolvers.permissions import needs

Info = strawberry.Info[GatewayContext, None]


@strawberry.type(
    name="DeadLetter",
    description=(
        "A write that failed for good, with what is needed to understand and replay it. "
        "Replay it with `replayDeadLetter`, or drop it with `discardDeadLetter`."
    ),
)
class DeadLetterType(Node):
    platform: Platform = strawberry.field(description="The platform the write was for.")
    operation: str = strawberry.field(description="The operation, e.g. `upsertCustomer`.")
    payload: JSON = strawberry.field(
        description="The full request (input, targets, idempotency key) and the last response."
    )
    error: str = strawberry.field(description="The last error: its class and message.")
    attempts: int = strawberry.field(description="Tries made before it was dead-lettered.")
    first_failed_at: datetime = strawberry.field(description="When the first try failed.")
    last_failed_at: datetime = strawberry.field(description="When the last try failed.")
    correlation_id: str = strawberry.field(
        description="The correlation id of the request that asked for the write."
    )

    @classmethod
    def from_model(cls, letter: DeadLetter) -> DeadLetterType:
        return cls(
            id=strawberry.ID(letter.id),
            platform=letter.platform,
            operation=letter.operation,
            payload=cast(JSON, {"request": letter.request, "lastResponse": letter.last_response}),
            error=letter.error,
            attempts=letter.attempts,
            first_failed_at=letter.first_failed_at,
            last_failed_at=letter.last_failed_at,
            correlation_id=letter.correlation_id,
        )


@strawberry.type(name="DeadLetterEdge", description="A dead letter in a list.")
class DeadLetterEdge:
    cursor: str = strawberry.field(description="Opaque; pass as `after` for what follows.")
    node: DeadLetterType = strawberry.field(description="The dead letter.")


@strawberry.type(name="DeadLetterConnection", description="A page of open dead letters.")
class DeadLetterConnection:
    edges: list[DeadLetterEdge] = strawberry.field(description="Oldest first.")
    page_info: PageInfo = strawberry.field(description="Whether and where the next page starts.")
    platform: strawberry.Private[Platform | None]

    @strawberry.field(description="How many open dead letters the list holds in all.")
    async def total_count(self, info: Info) -> int:
        return await write_service(info).dead_letters.count(self.platform)


@strawberry.type
class DeadLetterQueries:
    @strawberry.field(
        description=(
            "Writes that failed for good and wait for an operator, oldest first; only one "
            "platform's with `platform`. `first`: 0 to 100."
        ),
        extensions=needs(ADMIN_DLQ),
    )
    async def dead_letters(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        platform: Platform | None = None,
    ) -> DeadLetterConnection:
        size = checked_first(first, 20)
        page = await write_service(info).dead_letters.page(size, after, platform)
        edges = [
            DeadLetterEdge(cursor=d.cursor, node=DeadLetterType.from_model(d)) for d in page.items
        ]
        return DeadLetterConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                end_cursor=edges[-1].cursor if edges else after,
            ),
            platform=platform,
        )
