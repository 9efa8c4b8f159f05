"""Fixtures: the Shopify connector over the in-process simulators, with the offline token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.shopify import ShopifyConnector, offline_token_auth

BASE = "http://sim.test/shopify"


@pytest.fixture
async def shopify_credentials(sim: httpx.AsyncClient) -> dict[str, str]:
    credentials: dict[str, str] = (await sim.get("/_sim/credentials")).json()["shopify"]
    return credentials


@pytest.fixture
async def shop_http(sim_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


@pytest.fixture
def shopify(shop_http: httpx.AsyncClient, shopify_credentials: dict[str, str]) -> ShopifyConnector:
    return ShopifyConnector(shop_http, offline_token_auth(shopify_credentials["access_token"]))


async def people_in_shopify(sim: httpx.AsyncClient) -> dict[str, str]:
    """Ground truth: email -> customer GID of every seeded person Shopify holds."""
    people = (await sim.get("/_sim/people", params={"limit": 1000})).json()["people"]
    return {
        p["email"]: p["external_ids"]["shopify"] for p in people if "shopify" in p["external_ids"]
    }


async def graphql_requests(sim: httpx.AsyncClient) -> int:
    stats = (await sim.get("/_sim/stats")).json()["shopify"]
    return int(stats["requests"])
