"""Reading a whole connection through a bulk query operation instead of paging it.

`bulkOperationRunQuery(query:)` starts the operation; `currentBulkOperation` is polled (its
cost is one point, against thousands for paging a large shop within the cost limit) until it
is COMPLETED; the result is a JSONL file at `url`, a signed URL read without the shop's token.
An app runs one bulk query at a time per shop: when another is in progress (another replica's
backfill), this waits for it to end and starts its own. A FAILED, CANCELED or EXPIRED
operation, or a refused query, is a `FatalError`: the caller pages instead.
(https://shopify.dev/docs/api/usage/bulk-operations/queries)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from canonical_schema import Order
from connectors.exceptions import FatalError
from connectors.shopify.api import PLATFORM, GraphQLApi, dig, invalid, parse
from connectors.shopify.order_mapping import parse_order, to_order
from connectors.shopify.queries import ORDER_FIELDS

RUN = """
mutation RunBulkQuery($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message code }
  }
}"""
CURRENT = """
query CurrentBulkOperation {
  currentBulkOperation(type: QUERY) { id status errorCode objectCount url }
}"""
ORDERS = f"{{ orders(sortKey: UPDATED_AT) {{ edges {{ node {{ {ORDER_FIELDS} }} }} }} }}"
FINISHED = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
IN_PROGRESS = "OPERATION_IN_PROGRESS"


class BulkQuery:
    """One bulk query, from start to its JSONL lines; polls every `poll` s, up to `max_poll` s
    apart as it runs longer, and gives up after `timeout` s."""

    def __init__(
        self,
        api: GraphQLApi,
        http: httpx.AsyncClient,
        *,
        poll: float = 0.2,
        max_poll: float = 5.0,
        timeout: float = 3600.0,
    ) -> None:
        self._api = api
        self._http = http
        self._poll = poll
        self._max_poll = max_poll
        self._timeout = timeout

    async def lines(self, query: str) -> AsyncIterator[dict[str, Any]]:
        """Each object of the result, in the file's order."""
        url = await self._completed(await self._start(query))
        if url is None:
            return  # nothing matched: Shopify gives no file
        async with self._http.stream("GET", url) as response:
            if response.status_code != 200:
                raise FatalError(
                    PLATFORM,
                    f"the bulk operation's result answered {response.status_code}",
                    status=response.status_code,
                    endpoint="GET bulk operation result",
                )
            async for line in response.aiter_lines():
                if line.strip():
                    yield _object(line)

    async def _start(self, query: str) -> str:
        waited = 0.0
        while True:
            data = await self._api.data(RUN, {"query": query})
            payload = dig(data, "bulkOperationRunQuery")
            errors = payload.get("userErrors") if isinstance(payload, dict) else None
            if not isinstance(errors, list):
                raise invalid("bulkOperationRunQuery answered without `userErrors`")
            if not errors:
                operation_id = dig(payload, "bulkOperation", "id")
                if not isinstance(operation_id, str):
                    raise invalid("bulkOperationRunQuery answered without an operation id")
                return operation_id
            if any(isinstance(e, dict) and e.get("code") == IN_PROGRESS for e in errors):
                waited += await self._wait_for_current(waited)  # another one runs: let it end
                continue
            described = "; ".join(str(e.get("message")) for e in errors if isinstance(e, dict))
            raise FatalError(PLATFORM, f"bulk query refused: {described}", status=200)

    async def _wait_for_current(self, waited: float) -> float:
        started = asyncio.get_running_loop().time()
        while (current := await self._current()) is not None and current[1] not in FINISHED:
            await self._sleep(waited + asyncio.get_running_loop().time() - started)
        return asyncio.get_running_loop().time() - started

    async def _completed(self, operation_id: str) -> str | None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        while True:
            current = await self._current()
            if current is None or current[0] != operation_id:
                raise FatalError(PLATFORM, f"bulk operation {operation_id} is no longer current")
            _, status, error, url = current
            if status == "COMPLETED":
                return url
            if status in FINISHED:
                reason = f" ({error})" if error else ""
                raise FatalError(PLATFORM, f"bulk operation {operation_id} {status}{reason}")
            await self._sleep(loop.time() - started)

    async def _current(self) -> tuple[str, str, str | None, str | None] | None:
        operation = dig(await self._api.data(CURRENT), "currentBulkOperation")
        if operation is None:
            return None
        operation_id, status = dig(operation, "id"), dig(operation, "status")
        error, url = dig(operation, "errorCode"), dig(operation, "url")
        if not isinstance(operation_id, str) or not isinstance(status, str):
            raise invalid("currentBulkOperation answered without `id` and `status`")
        return (
            operation_id,
            status,
            error if isinstance(error, str) else None,
            url if isinstance(url, str) else None,
        )

    async def _sleep(self, elapsed: float) -> None:
        if elapsed > self._timeout:
            raise FatalError(PLATFORM, f"bulk operation still running after {self._timeout:.0f} s")
        await asyncio.sleep(min(self._max_poll, self._poll * (1 + elapsed)))


def _object(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise invalid("a bulk operation result line is not JSON") from exc
    if not isinstance(value, dict):
        raise invalid("a bulk operation result line is not a JSON object")
    return value


async def bulk_orders(api: GraphQLApi, http: httpx.AsyncClient) -> AsyncIterator[Order]:
    """Every order of the shop, through one bulk query."""
    async for line in BulkQuery(api, http).lines(ORDERS):
        yield to_order(parse(parse_order, line))
