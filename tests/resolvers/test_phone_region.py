"""MGW_DEFAULT_PHONE_REGION: a phone written without a country code is read in it, both in what
a platform holds and in what upsertCustomer writes. Over the in-process simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from sync_jobs.settings import JobSettings
from tests.resolvers.conftest import SIM_BASE

LONDON = "020 7946 0958"  # a UK number as a Londoner writes it
E164 = "+442079460958"


@pytest.fixture
async def gateway(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    credentials = (await sim.get("/_sim/credentials")).json()
    jobs = JobSettings(write_deadline_seconds=30.0)  # WRITTEN, however loaded the machine
    base = Settings(database_url=database_url, default_phone_region="gb", jobs=jobs)
    app = create_app(
        with_simulators(base, SIM_BASE, credentials),
        transport=httpx.ASGITransport(app=sim_app),  # type: ignore[arg-type]
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield client


async def graphql(client: httpx.AsyncClient, query: str, **variables: object) -> dict[str, Any]:
    body: dict[str, Any] = (
        await client.post("/graphql", json={"query": query, "variables": variables})
    ).json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


async def test_a_platform_record_with_a_local_number_reads_in_the_configured_region(
    gateway: httpx.AsyncClient, sim: httpx.AsyncClient, hubspot_token: str
) -> None:
    created = await sim.post(
        "/hubspot/crm/v3/objects/contacts",
        headers={"Authorization": f"Bearer {hubspot_token}"},
        json={"properties": {"email": "londoner@example.org", "phone": LONDON}},
    )
    assert created.status_code == 201, created.text

    query = 'query { customer(email: "londoner@example.org", maxStaleness: 0) { phone } }'
    assert (await graphql(gateway, query))["customer"] == {"phone": E164}


async def test_upsert_customer_reads_a_local_number_in_the_configured_region(
    gateway: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    mutation = """mutation($input: CustomerInput!) {
      upsertCustomer(input: $input, targets: [HUBSPOT]) { results { status } } }"""
    person = {"email": "writer@example.org", "phone": LONDON}
    answer = await graphql(gateway, mutation, input=person)
    assert answer["upsertCustomer"]["results"] == [{"status": "WRITTEN"}]

    held = await sim.get("/_sim/hubspot/records", params={"email": "writer@example.org"})
    assert held.json()["records"][0]["properties"]["phone"] == E164
