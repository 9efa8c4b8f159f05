"""The response cache: a repeated query is answered from memory for its TTL, per caller's
scopes, and a change made through the gateway (a mutation) or the TTL's end reads again."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.hubspot.settings import HubSpotSettings
from gateway.app import create_app
from gateway.settings import Settings
from hub.response_cache import Encoded, ResponseCache
from tests.conftest import SIM_BASE

LIST = "{ customers(first: 3) { edges { node { email lastName } } } }"


@pytest.fixture
async def cached_gateway(
    sim_app: object, hubspot_token: str, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        profile="demo",
        database_url=database_url,
        response_cache_seconds=60,
        cache="memory",
        hubspot=HubSpotSettings(base_url=f"{SIM_BASE}/hubspot", private_app_token=hubspot_token),
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


async def test_a_repeated_query_is_answered_without_reading_again(
    cached_gateway: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    first = (await cached_gateway.post("/graphql", json={"query": LIST})).json()
    email = first["data"]["customers"]["edges"][0]["node"]["email"]
    await sim.post("/_sim/hubspot/mutate", json={"email": email, "fields": {"lastname": "Newer"}})
    calls = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    again = (await cached_gateway.post("/graphql", json={"query": LIST})).json()
    assert again == first  # kept: no upstream call, the old name
    assert (await sim.get("/_sim/stats")).json()["hubspot"]["requests"] == calls
    other = {"query": LIST.replace("first: 3", "first: 2")}  # another operation reads afresh
    fresh = (await cached_gateway.post("/graphql", json=other)).json()
    assert fresh["data"]["customers"]["edges"][0]["node"]["lastName"] == "Newer"


def test_answers_expire_and_callers_with_other_scopes_do_not_share_them() -> None:
    now = [0.0]
    cache = ResponseCache(5, clock=lambda: now[0])
    reader = cache.key("{ a }", None, {"x": 1}, frozenset({"read:customers"}))
    cache.put(reader, {"a": 1})
    assert cache.get(reader) == {"a": 1}
    assert cache.get(cache.key("{ a }", None, {"x": 1}, frozenset({"read:pii"}))) is None
    assert cache.get(cache.key("{ a }", None, {"x": 2}, frozenset({"read:customers"}))) is None
    now[0] = 5.0
    assert cache.get(reader) is None
    cache.put(reader, {"a": 2})
    cache.clear()
    assert cache.get(reader) is None


def test_encoded_answers_share_the_ttl_and_the_clearing() -> None:
    now = [0.0]
    cache = ResponseCache(5, clock=lambda: now[0])
    key = (b'{"query": "{ a }"}', frozenset({"read:customers"}), False)
    answer = Encoded(b'{"data":{"a":1}}', ((b"content-type", b"application/json"),), "")
    cache.keep_encoded(key, answer)
    assert cache.encoded(key) is answer
    cache.clear()  # a mutation
    assert cache.encoded(key) is None
    cache.keep_encoded(key, answer)
    now[0] = 5.0
    assert cache.encoded(key) is None
