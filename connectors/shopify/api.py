"""One GraphQL call to Shopify: send, decode, classify through the error table, keep the cost
bucket's latest `throttleStatus`, and decide what a 200 with errors means.

`connectors.http.call_json` takes a wait only from `Retry-After`, which Shopify's throttle does
not send, so this module composes the same shared pieces (`send`, `json_body`, `classify`,
`error_for`) and computes the wait from the answer's cost: (requested cost - currently
available) / restore rate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

import httpx
from pydantic import ValidationError

from canonical_schema import Platform
from canonical_schema.invariants import BrokenInvariant
from connectors.errors import Action, classify, error_for
from connectors.exceptions import FatalError, InvalidUpstreamDataError
from connectors.http import endpoint, json_body, retry_after_seconds, send
from connectors.shopify.errors import SHAPE, error_code, graphql_errors

T = TypeVar("T")
PLATFORM = Platform.SHOPIFY
API_VERSION = "2025-01"
MAX_QUERY_COST = 1000


class ThrottleStatus(NamedTuple):
    """The cost bucket as Shopify last reported it (points, points, points a second)."""

    currently_available: float
    maximum_available: float
    restore_rate: float


class GraphQLApi:
    """`POST /admin/api/{version}/graphql.json` on the injected client, with `auth`."""

    def __init__(
        self, http: httpx.AsyncClient, auth: httpx.Auth, *, api_version: str = API_VERSION
    ) -> None:
        self._http = http
        self._auth = auth
        self.path = f"/admin/api/{api_version}/graphql.json"
        self.throttle_status: ThrottleStatus | None = None

    async def run(
        self, query: str, variables: dict[str, Any] | None = None, *, absent_ok: bool = False
    ) -> dict[str, Any] | None:
        """The answer's `data`; a connector error for anything else. With `absent_ok`, None when
        the shop's API does not serve a field the query selects (`undefinedField`), so a caller
        can fall back to another way of asking."""
        request = self._http.build_request(
            "POST", self.path, json={"query": query, "variables": variables or {}}
        )
        where = endpoint(request)
        response = await send(self._http, PLATFORM, request, auth=self._auth)
        body = json_body(PLATFORM, response)
        cost = _cost(body)
        self._remember(cost)
        errors = graphql_errors(body)
        if absent_ok and errors and all(error_code(e) == "undefinedField" for e in errors):
            return None
        action = classify(SHAPE.table, response.status_code, SHAPE.code(body))
        if action is not Action.OK:
            reason = SHAPE.message(body)
            raise error_for(
                action,
                PLATFORM,
                f"{where} answered {response.status_code}" + (f": {reason}" if reason else ""),
                status=response.status_code,
                endpoint=where,
                correlation_id=SHAPE.correlation_id(body, response.headers),
                retry_after=retry_after_seconds(response) or _throttle_wait(cost),
            )
        return _data(body, where, SHAPE.correlation_id(body, response.headers))

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """`run` for a query every shop serves."""
        data = await self.run(query, variables)
        # only `absent_ok` runs answer None
        if data is None:
            raise BrokenInvariant("expected data is not None")
        return data

    def _remember(self, cost: dict[str, Any]) -> None:
        status = cost.get("throttleStatus")
        if not isinstance(status, dict):
            return
        try:
            self.throttle_status = ThrottleStatus(
                float(status["currentlyAvailable"]),
                float(status["maximumAvailable"]),
                float(status["restoreRate"]),
            )
        except (KeyError, TypeError, ValueError):
            return  # a bucket we cannot read tells the limiter nothing; keep the last one


def _cost(body: Any) -> dict[str, Any]:
    extensions = body.get("extensions") if isinstance(body, dict) else None
    cost = extensions.get("cost") if isinstance(extensions, dict) else None
    return cost if isinstance(cost, dict) else {}


def _throttle_wait(cost: dict[str, Any]) -> float | None:
    """Seconds until the bucket holds the query's requested cost, from `extensions.cost`."""
    status = cost.get("throttleStatus")
    requested = cost.get("requestedQueryCost")
    if not isinstance(status, dict) or not isinstance(requested, int | float):
        return None
    available, rate = status.get("currentlyAvailable"), status.get("restoreRate")
    if not isinstance(available, int | float) or not isinstance(rate, int | float) or rate <= 0:
        return None
    return max(0.0, (float(requested) - float(available)) / float(rate))


def _data(body: Any, where: str, correlation_id: str | None) -> dict[str, Any]:
    """`data` of a 200 the table let through. Errors it did not name: without data the query
    failed (fatal); with data the answer is partial, and nothing partial is merged."""
    errors = graphql_errors(body)
    data = body.get("data") if isinstance(body, dict) else None
    if errors:
        described = "; ".join(f"{error_code(e)}: {e.get('message')}" for e in errors)
        kind = FatalError if not isinstance(data, dict) else InvalidUpstreamDataError
        raise kind(
            PLATFORM,
            f"{where} answered with GraphQL errors: {described}",
            status=200,
            endpoint=where,
            correlation_id=correlation_id,
        )
    if not isinstance(data, dict):
        raise InvalidUpstreamDataError(
            PLATFORM, f"{where} answered without `data`", status=200, endpoint=where
        )
    search = _search_warnings(body)
    if search:
        # An unsupported search field matches everything: the answer is not what was asked.
        raise FatalError(
            PLATFORM, f"{where}: search not understood: {search}", status=200, endpoint=where
        )
    return data


def _search_warnings(body: Any) -> str | None:
    extensions = body.get("extensions") if isinstance(body, dict) else None
    search = extensions.get("search") if isinstance(extensions, dict) else None
    if not isinstance(search, list) or not search:
        return None
    return "; ".join(
        f"{w.get('field')}: {w.get('message')}"
        for entry in search
        if isinstance(entry, dict)
        for w in entry.get("warnings") or ()
        if isinstance(w, dict)
    )


# Reading answers (client.py): connections, records, drift.


def connection(data: dict[str, Any], field: str) -> tuple[list[Any], str | None]:
    """(nodes, endCursor when there is a next page) of a connection in `data`."""
    nodes = dig(data, field, "nodes")
    info = dig(data, field, "pageInfo")
    if not isinstance(nodes, list) or not isinstance(info, dict):
        raise invalid(f"`{field}` answered without `nodes` and `pageInfo`")
    cursor = info.get("endCursor")
    if info.get("hasNextPage") is True:
        if not isinstance(cursor, str) or not cursor:
            raise invalid(f"`{field}` has a next page but no `endCursor`")
        return nodes, cursor
    return nodes, None


def parse(validate: Callable[[Any], T], raw: Any) -> T:
    """`validate(raw)`; a record pydantic refuses is invalid upstream data."""
    try:
        return validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise invalid(f"a record has an unexpected shape at {where}: {first['msg']}") from exc


def invalid(message: str) -> InvalidUpstreamDataError:
    return InvalidUpstreamDataError(
        PLATFORM, message, endpoint=f"POST /admin/api/{API_VERSION}/graphql.json"
    )


def dig(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body
