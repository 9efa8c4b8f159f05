"""Who may see `/dashboard/data`: anyone in the demo profile; in the serve profile only a
caller holding `admin:dlq`. The page itself holds no data and loads for anyone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from connectors.registry import specs
from gateway.app import create_app
from gateway.security.api_keys import ApiKeyStore
from tests.telemetry.support import gateway_settings


@pytest.fixture(params=["serve", "demo"])
async def gateway(
    request: pytest.FixtureRequest, sim_app: object, sim: httpx.AsyncClient, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    credentials = (await sim.get("/_sim/credentials")).json()
    database = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
    settings = gateway_settings(database, "http://sim.test", credentials)
    settings = settings.model_copy(update={"profile": request.param})
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        keys = ApiKeyStore(app.state.services.store)
        _, admin = await keys.create("ops", "admin:dlq")
        _, reader = await keys.create("reader", "read:customers")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client, {"profile": request.param, "admin": admin, "reader": reader}


async def test_the_data_needs_admin_dlq_in_serve_and_nothing_in_demo(
    gateway: tuple[httpx.AsyncClient, dict[str, str]],
) -> None:
    client, info = gateway
    assert (await client.get("/dashboard")).status_code == 200
    assert (await client.get("/dashboard/dashboard.js")).status_code == 200

    anonymous = await client.get("/dashboard/data")
    as_reader = await client.get(
        "/dashboard/data", headers={"authorization": f"Bearer {info['reader']}"}
    )
    as_admin = await client.get(
        "/dashboard/data", headers={"authorization": f"Bearer {info['admin']}"}
    )

    if info["profile"] == "demo":
        assert (anonymous.status_code, as_reader.status_code) == (200, 200)
    else:
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert as_reader.status_code == 403
        assert as_reader.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert as_admin.status_code == 200
    body = as_admin.json()
    assert [i["platform"] for i in body["integrations"]] == [
        "hubspot",
        "salesforce",
        "shopify",
        "marketo",
        "mailchimp",
    ]
    assert body["colors"] == {spec.key: spec.color for spec in specs()}  # the chart's lines
    assert body["dead_letters"] == []
    assert body["dlq_size"] == 0
    assert {a["name"] for a in body["alerts"]} >= {"dead_letters", "job_backlog", "stale_data"}
