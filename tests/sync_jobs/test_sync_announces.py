"""Polled platforms feed subscriptions: what an incremental sync finds changed is evicted from
the cache and announced (Salesforce and Marketo have no signed webhooks), as a webhook's change
is; the first, full walk announces nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from canonical_schema import Platform
from hub.changes import ChangeNotice
from tests.sync_jobs.sync_services import open_all
from tests.waiting import eventually


async def test_an_incremental_sync_announces_each_change_it_finds(
    sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path
) -> None:
    people = (await sim.get("/_sim/people", params={"limit": 200})).json()["people"]
    email = next(p["email"] for p in people if "marketo" in p["external_ids"])
    async with open_all(sim_app, sim, tmp_path, cache="memory") as services:
        assert services.changes is not None
        (before,) = await services.read.customers_by_email([email])  # now cached
        assert before.customer is not None
        heard: list[ChangeNotice] = []

        async def listen() -> None:
            async for notice in services.changes.subscribe():  # type: ignore[union-attr]
                heard.append(notice)

        listener = asyncio.create_task(listen())
        await asyncio.sleep(0)
        await services.sync.run(Platform.MARKETO)  # type: ignore[union-attr]  # full: silent
        await asyncio.sleep(0.05)
        assert heard == []
        edit = {"email": email, "fields": {"firstName": "Polled"}}
        changed = await sim.post("/_sim/marketo/mutate", json=edit)
        assert changed.is_success, changed.text
        (cached,) = await services.read.customers_by_email([email])
        await services.sync.run(Platform.MARKETO)  # type: ignore[union-attr]  # incremental
        assert await eventually(lambda: heard), "the polled change was never announced"
        await asyncio.sleep(0.05)  # a second announcement, were there one, would come now
        listener.cancel()
        (after,) = await services.read.customers_by_email([email])
    assert [(n.email, n.platform) for n in heard] == [(email, Platform.MARKETO)]
    assert cached.customer is not None
    assert after.customer is not None
    assert "Polled" not in (cached.customer.first_name or "")  # the cache alone is stale
    assert after.customer.first_name == "Polled"  # the poll evicted it
