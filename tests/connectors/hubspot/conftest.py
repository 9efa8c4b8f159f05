"""The HubSpot simulator in-process, a connector on it, and ground truth read around the
connector (the control API, or the platform's own API called directly)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from connectors.hubspot import HubSpotConnector, PrivateAppAuth

BASE = "http://sim.test/hubspot"


@pytest.fixture
async def creds(sim: httpx.AsyncClient) -> dict[str, str]:
    found: dict[str, str] = (await sim.get("/_sim/credentials")).json()["hubspot"]
    return found


@pytest.fixture
async def http(sim_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


@pytest.fixture
def hubspot(http: httpx.AsyncClient, hubspot_token: str) -> HubSpotConnector:
    return HubSpotConnector(http, PrivateAppAuth(hubspot_token))


async def raw(sim: httpx.AsyncClient, token: str, method: str, path: str, **kw: Any) -> Any:
    """HubSpot's own answer, called directly: the ground truth a connector read must match."""
    headers = {"Authorization": f"Bearer {token}"}
    response = await sim.request(method, f"/hubspot{path}", headers=headers, **kw)
    assert response.status_code in (200, 207), response.text
    return response.json()


async def every(sim: httpx.AsyncClient, token: str, object_type: str) -> list[dict[str, Any]]:
    """Every record of a type, paged straight off the API."""
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        body = await raw(sim, token, "GET", f"/crm/v3/objects/{object_type}", params=params)
        found += body["results"]
        if "paging" not in body:
            return found
        params["after"] = body["paging"]["next"]["after"]


async def fault(sim: httpx.AsyncClient, **spec: Any) -> None:
    response = await sim.post("/_sim/faults", json={"platform": "hubspot", **spec})
    assert response.is_success, response.text
