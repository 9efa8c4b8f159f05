"""The gateway in the serve profile, in-process over all five simulators, with one API key per
scope set a test may need (tests/security/)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from access.scopes import ALL_SCOPES
from gateway.app import create_app
from gateway.security.api_keys import ApiKeyStore
from gateway.security.settings import SecuritySettings
from gateway.settings import Settings
from gateway.simulated import with_simulators
from sync_jobs.settings import JobSettings

SIM_BASE = "http://sim.test"

SCOPE_SETS: dict[str, frozenset[str]] = {
    "all": ALL_SCOPES,
    "read": frozenset({"read:customers"}),
    "pii": frozenset({"read:customers", "read:pii"}),
    "write": frozenset({"write:customers"}),
    "write-read": frozenset({"write:customers", "read:customers"}),
    "sync": frozenset({"admin:sync"}),
    "dlq": frozenset({"admin:dlq"}),
}


@dataclass
class Secured:
    """A serve-profile gateway: `post` sends an operation with the named key (or none)."""

    app: Starlette
    client: httpx.AsyncClient
    keys: dict[str, str]

    async def request(
        self, query: str, key: str | None = None, **variables: object
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.keys.get(key, key)}"} if key else {}
        return await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def post(self, query: str, key: str | None = None, **variables: object) -> Any:
        response = await self.request(query, key, **variables)
        assert response.status_code == 200, response.text
        return response.json()


def serve_settings(database_url: str, credentials: dict[str, Any], **overrides: Any) -> Settings:
    # A mutation answers once its writes are done; on a loaded machine that may be late.
    jobs = JobSettings(retry_delays_seconds=[0.01, 0.01, 0.01], write_deadline_seconds=30.0)
    base = Settings(
        profile="serve",
        database_url=database_url,
        jobs=jobs,
        security=overrides.pop("security", SecuritySettings(key_cache_seconds=0)),
        **overrides,
    )
    return with_simulators(base, SIM_BASE, credentials)


@pytest.fixture
async def secured(
    sim_app: object, sim: httpx.AsyncClient, database_url: str
) -> AsyncIterator[Secured]:
    credentials = (await sim.get("/_sim/credentials")).json()
    settings = serve_settings(database_url, credentials)
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        store = ApiKeyStore(app.state.services.store)
        keys = {name: (await store.create(name, scopes))[1] for name, scopes in SCOPE_SETS.items()}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            yield Secured(app, client, keys)
