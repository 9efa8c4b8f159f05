"""Every row of the Shopify error table, triggered through the simulator where it can be (HTTP
faults, the cost bucket with rate_limits="real", bad queries, bad tokens); the rows the
simulator cannot produce (ACCESS_DENIED, INTERNAL_SERVER_ERROR at 200) answer from recorded
bodies shaped as Shopify documents them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connectors.errors import Action, classify
from connectors.exceptions import (
    AuthError,
    FatalError,
    InvalidUpstreamDataError,
    RateLimitedError,
    UnavailableError,
)
from connectors.shopify import ShopifyConnector, offline_token_auth
from connectors.shopify.api import GraphQLApi
from connectors.shopify.errors import ERROR_TABLE, PARTIAL, SHAPE, VALIDATION_CODES
from gateway.servers import free_port
from simulators import SimConfig
from simulators import create_app as create_simulators
from simulators.core.clock import ManualClock
from tests.connectors.shopify.conftest import BASE, people_in_shopify

COST = {
    "requestedQueryCost": 152,
    "actualQueryCost": None,
    "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 52, "restoreRate": 100.0},
}


@pytest.mark.parametrize(
    ("fault_status", "error", "action"),
    [
        (401, AuthError, Action.AUTH_FAILED),
        (402, FatalError, Action.FATAL),
        (403, AuthError, Action.AUTH_FAILED),
        (404, FatalError, Action.FATAL),
        (423, FatalError, Action.FATAL),
        (429, RateLimitedError, Action.RATE_LIMITED),
        (400, FatalError, Action.FATAL),
        (500, UnavailableError, Action.RETRY),
        (503, UnavailableError, Action.RETRY),
    ],
)
async def test_http_errors_become_typed_errors(
    sim: httpx.AsyncClient,
    shopify: ShopifyConnector,
    fault_status: int,
    error: type,
    action: Action,
) -> None:
    fault = {"platform": "shopify", "error_rate": 1.0, "status": fault_status}
    assert (await sim.post("/_sim/faults", json=fault)).is_success
    assert classify(ERROR_TABLE, fault_status, None) is action
    with pytest.raises(error) as caught:
        await shopify.records_by_email(["a@b.co"])
    assert type(caught.value) is error
    assert caught.value.status == fault_status
    assert caught.value.endpoint == "POST /shopify/admin/api/2025-01/graphql.json"
    if fault_status == 429:
        assert caught.value.retry_after == 2.0  # the REST-style 429 sends Retry-After


async def test_a_refused_token_is_an_auth_error(shop_http: httpx.AsyncClient) -> None:
    connector = ShopifyConnector(shop_http, offline_token_auth("shpat_wrong"))
    with pytest.raises(AuthError) as caught:
        await connector.list_records(1, None)
    assert caught.value.status == 401
    assert "Invalid API key or access token" in caught.value.message


async def test_throttled_at_200_is_rate_limited_with_the_wait_from_the_bucket() -> None:
    clock = ManualClock()
    app = create_simulators(SimConfig(people=60, rate_limits="real"), clock=clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://sim.test"
    ) as sim:
        token = (await sim.get("/_sim/credentials")).json()["shopify"]["access_token"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        connector = ShopifyConnector(http, offline_token_auth(token))
        for _ in range(100):  # ~750 points requested, the actual cost kept: drains the bucket
            if connector.throttle_status and connector.throttle_status.currently_available < 752:
                break
            await connector.list_records(250, None)
        with pytest.raises(RateLimitedError) as caught:
            await connector.list_records(250, None)
        status = connector.throttle_status
        assert status is not None
        assert status.maximum_available == 2000.0
        assert status.restore_rate == 100.0
        assert status.currently_available < 753
        wait = caught.value.retry_after
        assert wait is not None
        assert wait > 0
        # (requested - available) / restore rate; the simulator prices this query at 752.
        assert wait * 100 + status.currently_available == pytest.approx(752)
        assert caught.value.status == 200
        assert "Throttled" in caught.value.message
        clock.advance(caught.value.retry_after or 0)
        await connector.list_records(250, None)  # waiting as told is enough


async def test_a_query_over_the_cost_limit_is_fatal(shop_http, shopify_credentials) -> None:
    api = GraphQLApi(shop_http, offline_token_auth(shopify_credentials["access_token"]))
    query = "{ customers(first: 250) { nodes { orders(first: 250) { nodes { id } } } } }"
    with pytest.raises(FatalError, match="exceeds the single query max cost limit"):
        await api.run(query)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ customers(first: 1) { nodes { bogus } } }", "undefinedField"),
        ("{ customers(first: 1, bogus: 1) { nodes { id } } }", "argumentNotAccepted"),
        ("{ customers(first: 1) { nodes { id } }", "GRAPHQL_ERROR"),  # parse error: no code
        ("{ customers(first: 1) }", "selectionMismatch"),
    ],
)
async def test_queries_shopify_cannot_run_are_fatal(
    shop_http, shopify_credentials, query: str, code: str
) -> None:
    assert code in VALIDATION_CODES
    assert classify(ERROR_TABLE, 200, code) is Action.FATAL
    api = GraphQLApi(shop_http, offline_token_auth(shopify_credentials["access_token"]))
    with pytest.raises(FatalError) as caught:
        await api.run(query)
    assert type(caught.value) is FatalError
    assert caught.value.status == 200


async def test_a_partial_answer_is_invalid_data_and_an_unknown_search_field_fatal(
    sim, shop_http, shopify_credentials
) -> None:
    api = GraphQLApi(shop_http, offline_token_auth(shopify_credentials["access_token"]))
    gid = next(iter((await people_in_shopify(sim)).values()))
    partial = (
        "{ customers(first: 1) { nodes { id } } "
        f'customer(id: "{gid}") {{ orders(first: 1, after: "bogus") {{ nodes {{ id }} }} }} }}'
    )
    assert classify(ERROR_TABLE, 200, PARTIAL) is Action.OK  # api.py decides: invalid data
    with pytest.raises(InvalidUpstreamDataError, match="Invalid cursor"):
        await api.run(partial)
    with pytest.raises(FatalError, match="search not understood: bogus_field"):
        await api.run('{ customers(first: 1, query: "bogus_field:1") { nodes { id } } }')


@pytest.mark.parametrize(
    ("fault", "match"),
    [
        ({"malformed_rate": 1.0}, "not JSON"),
        ({"drift_rate": 1.0}, "unexpected shape"),
    ],
)
async def test_malformed_and_drifted_answers_are_invalid_upstream_data(
    sim: httpx.AsyncClient, shopify: ShopifyConnector, fault: dict[str, float], match: str
) -> None:
    assert (await sim.post("/_sim/faults", json={"platform": "shopify", **fault})).is_success
    for _ in range(4):  # drift either retypes `amountSpent.amount` or renames the consent
        with pytest.raises(InvalidUpstreamDataError, match=match) as caught:
            await shopify.list_records(5, None)
        assert caught.value.platform.value == "shopify"
        assert (caught.value.endpoint or "").endswith("/admin/api/2025-01/graphql.json")


def _recorded(body: dict[str, Any]) -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json=body))


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (
            {
                "message": "Access denied for customers field. Required access: `read_customers`.",
                "extensions": {
                    "code": "ACCESS_DENIED",
                    "documentation": "https://shopify.dev/api/usage/access-scopes",
                    "requiredAccess": "`read_customers` access scope.",
                },
                "path": ["customers"],
            },
            AuthError,
        ),
        (
            {
                "message": "Internal error. Looks like something went wrong on our end."
                "\nRequest ID: 1b355a21-7117-44c5-8d8b-8948082f40a8 "
                "(include this in support requests).",
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "requestId": "1b355a21-7117-44c5-8d8b-8948082f40a8",
                },
            },
            UnavailableError,
        ),
        ({"message": "Something new", "extensions": {"code": "SOMETHING_NEW"}}, FatalError),
    ],
)
async def test_recorded_200_errors_the_simulator_does_not_produce(
    error: dict[str, Any], kind: type
) -> None:
    body = {"errors": [error], "data": None, "extensions": {"cost": COST}}
    async with httpx.AsyncClient(
        transport=_recorded(body), base_url="https://x.myshopify.com"
    ) as http:
        connector = ShopifyConnector(http, offline_token_auth("shpat_x"))
        with pytest.raises(kind) as caught:
            await connector.list_records(1, None)
    assert type(caught.value) is kind
    if kind is UnavailableError:
        assert caught.value.correlation_id == "1b355a21-7117-44c5-8d8b-8948082f40a8"
    assert connector.throttle_status == (52.0, 2000.0, 100.0)


def test_the_throttled_code_reads_from_the_first_error() -> None:
    body = {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    assert SHAPE.code(body) == "THROTTLED"
    assert classify(ERROR_TABLE, 200, SHAPE.code(body)) is Action.RATE_LIMITED
    assert SHAPE.code({"errors": "[API] Invalid API key"}) is None
    assert SHAPE.code({"data": {}}) is None


async def test_an_unreachable_shop_is_unavailable_not_an_httpx_error() -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}/shopify") as http:
        connector = ShopifyConnector(http, offline_token_auth("shpat_any"))
        with pytest.raises(UnavailableError) as caught:
            await connector.count_records()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_a_shop_that_serves_customers_count_is_asked_for_it() -> None:
    body = {"data": {"customersCount": {"count": 1234, "precision": "EXACT"}}}
    async with httpx.AsyncClient(
        transport=_recorded(body), base_url="https://x.myshopify.com"
    ) as http:
        assert await ShopifyConnector(http, offline_token_auth("shpat_x")).count_records() == 1234
