"""The dashboard in a real browser (Debian's chromium, driven by Playwright): it loads, shows
the five integrations, lists a dead letter, and the Replay button empties it from the list."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from connectors.registry import specs
from gateway.app import create_app
from simulators import SimConfig
from simulators import create_app as create_simulators
from tests.telemetry.support import gateway_settings, served

UPSERT = """
mutation($input: CustomerInput!) {
  upsertCustomer(input: $input, targets: [HUBSPOT]) { results { status deadLetterId } }
}"""


async def test_the_page_shows_five_integrations_and_replays_a_dead_letter(
    browser: Browser, tmp_path: Path
) -> None:
    simulators = create_simulators(SimConfig(seed=7, people=40, rate_limits="off"))
    async with served(simulators) as sim_url, httpx.AsyncClient() as client:
        credentials = (await client.get(f"{sim_url}/_sim/credentials")).json()
        database = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
        settings = gateway_settings(database, sim_url, credentials)
        async with served(create_app(settings)) as gateway_url:
            refused = {"platform": "hubspot", "error_rate": 1.0, "status": 400}
            await client.post(f"{sim_url}/_sim/faults", json=refused)
            upsert = {"query": UPSERT, "variables": {"input": {"email": "dash@example.org"}}}
            answer = (await client.post(f"{gateway_url}/graphql", json=upsert)).json()
            [result] = answer["data"]["upsertCustomer"]["results"]
            assert result["status"] == "DEAD_LETTERED"
            await client.delete(f"{sim_url}/_sim/faults")

            page = await browser.new_page()
            await page.goto(f"{gateway_url}/dashboard")

            rows = page.locator("#integrations tbody tr")
            await expect(rows).to_have_count(5)
            for name in ("hubspot", "salesforce", "shopify", "marketo", "mailchimp"):
                await expect(page.locator(f'tr[data-platform="{name}"]')).to_be_visible()
            await expect(page.locator("#chart polyline")).to_have_count(5)
            for spec in specs():  # each line in its platform's colour, from the registry
                line = page.locator(f'#chart polyline[data-platform="{spec.key}"]')
                await expect(line).to_have_attribute("stroke", spec.color)
            letter = page.locator(f'#dead-letters tr[data-id="{result["deadLetterId"]}"]')
            await expect(letter).to_be_visible()
            await expect(page.locator("#dlq-size")).to_have_text("1")

            await letter.locator("button.replay").click()

            await expect(letter).to_have_count(0)
            await expect(page.locator("#dlq-size")).to_have_text("0")
            await expect(page.locator("#dead-letters tbody")).to_contain_text(
                "no open dead letters"
            )
            await page.close()  # before the gateway stops
            writes = (await client.get(f"{sim_url}/_sim/hubspot/writes")).json()["writes"]
    assert writes, "the replayed write reached HubSpot"
