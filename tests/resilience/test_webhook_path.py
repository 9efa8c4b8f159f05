"""The webhook path of the fault matrix: a change made in a platform's UI while its API is
faulted, announced to the gateway by the platform's signed webhook.

Each cell caches a person, puts the fault on the platform's API, edits the person there
(`/_sim/{platform}/mutate`, which sends the webhook over HTTP to the gateway), and checks:
the delivery is acknowledged at its first attempt, the change is announced exactly once,
a redelivery of the same webhook is a duplicate and announces nothing, and once the platform
is healthy the next read shows the change (the cached answer was evicted)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from hub.changes import ChangeNotice
from tests.resilience.harness import Cell, eventually, inject, judge, open_cell, run_cells
from tests.resilience.matrix import cells, expected, ids, injection

CELLS = cells("webhook")

READ = "query($email: String!) { customer(email: $email) { email lastName } }"
EDITS = {
    "hubspot": "lastname",
    "salesforce": "LastName",
    "shopify": "last_name",
    "marketo": "lastName",
    "mailchimp": "LNAME",
}


async def deliveries(cell: Cell, platform: str) -> list[dict[str, Any]]:
    found = (await cell.sim.get("/_sim/webhooks")).json()["deliveries"]
    return [d for d in found if d["platform"] == platform]


async def run_cell(platform: str, fault: str, folder: Path, template: Path) -> None:
    outcome = expected("webhook", platform, fault)
    async with open_cell(folder, template, cache="memory") as cell:
        email = cell.person(platform)["email"]
        await cell.warm(READ, email=email)
        notices: list[ChangeNotice] = []

        async def listen() -> None:
            async for notice in cell.services.changes.subscribe():
                notices.append(notice)

        listening = asyncio.create_task(listen())
        await asyncio.sleep(0)
        try:
            await inject(cell, platform, injection("webhook", platform, fault))
            edit = {"email": email, "fields": {EDITS[platform]: "Webhooked"}}
            assert (await cell.sim.post(f"/_sim/{platform}/mutate", json=edit)).status_code == 200
            sent = await deliveries(cell, platform)
            if outcome.kind == "N/A":
                assert sent == [], "a platform without webhooks sent one"
                return

            assert await eventually(lambda: _delivered(cell, platform))
            (delivery,) = await deliveries(cell, platform)
            assert delivery["attempts"] == 1, delivery  # acknowledged at once
            assert await eventually(lambda: _true(bool(notices)), within=30.0)
            await asyncio.sleep(0.1)  # a second notice would come now
            assert [n.email for n in notices] == [email], notices

            # The platform redelivers the same webhook: a duplicate, no second notice.
            repeat = await cell.gateway.post(
                delivery["url"].removeprefix("http://gateway.test"),
                content=delivery["body"].encode(),
                headers=delivery["headers"],
            )
            assert repeat.status_code == 200, repeat.text
            assert repeat.json()["accepted"] == 0, repeat.json()
            await asyncio.sleep(0.05)
            assert len(notices) == 1

            await cell.clear()
            if fault == "expiring" or (fault == "revoked" and platform != "mailchimp"):
                return  # reading it back needs credentials only a person can mend
            after = await cell.graphql(READ, email=email)
            assert after["data"]["customer"]["lastName"] == "Webhooked", after
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)


async def _delivered(cell: Cell, platform: str) -> bool:
    return any(d["delivered"] for d in await deliveries(cell, platform))


async def _true(value: bool) -> bool:
    return value


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outcomes(
    tmp_path_factory: pytest.TempPathFactory, template: Path
) -> dict[tuple[str, str], BaseException | None]:
    return await run_cells(CELLS, run_cell, tmp_path_factory, template)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("platform", "fault"), CELLS, ids=ids(CELLS))
async def test_webhook(
    platform: str,
    fault: str,
    outcomes: dict[tuple[str, str], BaseException | None],
    request: pytest.FixtureRequest,
) -> None:
    judge("webhook", platform, fault, outcomes, request)
