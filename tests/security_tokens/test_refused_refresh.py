"""A user disconnects the gateway's HubSpot app: the refresh token is refused, and the gateway
says so — `integrations` shows HubSpot `authValid: false`, `DOWN`, and what to run; reads fail
fast with `UPSTREAM_AUTH` instead of asking HubSpot again; the other platforms keep answering."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.hubspot.settings import HubSpotSettings
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators

SIM = "http://sim.test"
TOKEN_ROUTE = "POST /oauth/v1/token"
CUSTOMER = "query ($email: String!) { customer(email: $email) { email sources { platform } } }"
INTEGRATIONS = "{ integrations { platform status authValid authProblem } }"
REFUSED = (
    "HubSpot refused the refresh token (missing or invalid refresh token): "
    "reconnect with `mgw connect hubspot`"
)

Post = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def gateway(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> AsyncIterator[tuple[Post, httpx.AsyncClient]]:
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = with_simulators(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}",
            platforms="hubspot,salesforce",
            cache="off",
        ),
        SIM,
        credentials,
    )
    hubspot = credentials["hubspot"]  # the OAuth app, not the private-app token
    oauth = HubSpotSettings(
        base_url=f"{SIM}/hubspot",
        client_id=hubspot["client_id"],
        client_secret=hubspot["client_secret"],
        refresh_token=hubspot["refresh_token"],
    )
    settings = settings.model_copy(update={"hubspot": oauth})
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:

            async def post(query: str, **variables: Any) -> dict[str, Any]:
                answer = await http.post("/graphql", json={"query": query, "variables": variables})
                body: dict[str, Any] = answer.json()
                return body

            yield post, http


async def token_requests(sim: httpx.AsyncClient) -> int:
    routes = (await sim.get("/_sim/stats")).json()["hubspot"]["requests_by_route"]
    asked: int = routes.get(TOKEN_ROUTE, 0)
    return asked


async def test_a_revoked_refresh_token_marks_hubspot_down_and_reads_fail_fast(
    gateway: tuple[Post, httpx.AsyncClient], sim: httpx.AsyncClient
) -> None:
    post, http = gateway
    people = (await sim.get("/_sim/people", params={"limit": 200})).json()["people"]
    email = next(p["email"] for p in people if {"hubspot", "salesforce"} <= set(p["external_ids"]))
    assert (await sim.post("/_sim/hubspot/revoke")).status_code == 200  # the user disconnects

    answer = await post(CUSTOMER, email=email)

    assert [s["platform"] for s in answer["data"]["customer"]["sources"]] == ["SALESFORCE"]
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_AUTH"
    assert error["extensions"]["platform"] == "HUBSPOT"
    assert error["extensions"]["retryable"] is False
    assert "reconnect with `mgw connect hubspot`" in error["message"]

    found = {i["platform"]: i for i in (await post(INTEGRATIONS))["data"]["integrations"]}
    assert found["HUBSPOT"] == {
        "platform": "HUBSPOT",
        "status": "DOWN",
        "authValid": False,
        "authProblem": REFUSED,
    }
    assert found["SALESFORCE"]["status"] == "HEALTHY"
    assert found["SALESFORCE"]["authProblem"] is None

    health = await http.get("/health/integrations")
    assert health.status_code == 503
    hubspot = next(i for i in health.json()["integrations"] if i["platform"] == "HUBSPOT")
    assert (hubspot["status"], hubspot["auth_valid"], hubspot["auth_problem"]) == (
        "DOWN",
        False,
        REFUSED,
    )

    asked = await token_requests(sim)
    assert asked == 1  # refused once, not retried
    for _ in range(3):  # fail fast: HubSpot is not asked again, Salesforce still answers
        again = await post(CUSTOMER, email=email)
        assert again["errors"][0]["extensions"]["code"] == "UPSTREAM_AUTH"
        assert again["data"]["customer"]["sources"] == [{"platform": "SALESFORCE"}]
    assert await token_requests(sim) == asked
    hubspot_calls = (await sim.get("/_sim/stats")).json()["hubspot"]["requests"]
    assert hubspot_calls == asked  # not one data call went out with a dead token
