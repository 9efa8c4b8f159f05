"""GraphiQL in a real browser (Debian's chromium, driven by Playwright) with every request
that leaves this machine blocked: it loads from the gateway's own assets, is titled
"Marketing Graph Gateway", offers the sample operations, runs one, and its Docs pane leaves
out the Apollo Federation plumbing (_service, _entities, _Any)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Route, expect

from gateway.app import create_app
from simulators import SimConfig
from simulators import create_app as create_simulators
from tests.telemetry.support import gateway_settings, served

LOCAL = {"127.0.0.1", "localhost"}


async def test_graphiql_works_offline_and_hides_federation_plumbing(
    browser: Browser, tmp_path: Path
) -> None:
    simulators = create_simulators(SimConfig(seed=7, people=20, rate_limits="off"))
    async with served(simulators) as sim_url, httpx.AsyncClient() as client:
        credentials = (await client.get(f"{sim_url}/_sim/credentials")).json()
        database = f"sqlite+aiosqlite:///{tmp_path / 'mgw.db'}"
        async with served(create_app(gateway_settings(database, sim_url, credentials))) as url:
            blocked: list[str] = []

            async def only_local(route: Route) -> None:
                if urlsplit(route.request.url).hostname in LOCAL:
                    await route.continue_()
                else:
                    blocked.append(route.request.url)
                    await route.abort()

            context = await browser.new_context()
            await context.route("**/*", only_local)
            page = await context.new_page()
            await page.goto(f"{url}/graphql")

            await expect(page).to_have_title("Marketing Graph Gateway")
            editor = page.locator(".graphiql-query-editor")
            await expect(editor).to_contain_text("query APageOfCustomers")

            await page.locator(".graphiql-execute-button").click()
            menu = page.get_by_role("menuitem", name="APageOfCustomers")
            await expect(menu).to_be_visible()  # one entry per sample operation
            await expect(page.get_by_role("menuitem")).to_have_count(5)
            await menu.click()
            await expect(page.locator(".graphiql-response")).to_contain_text('"totalCount"')

            await page.get_by_label("Show Documentation Explorer").click()
            docs = page.locator(".graphiql-doc-explorer")
            await docs.get_by_role("link", name="Query", exact=True).click()
            await expect(docs).to_contain_text("customers")
            text = await docs.inner_text()
            for plumbing in ("_service", "_entities", "_Any", "_Entity"):
                assert plumbing not in text
            await context.close()  # before the gateway stops
    assert blocked == [], "the page asked for nothing beyond the gateway"
