"""`mgw connect <platform>`: run the OAuth flow once and keep the tokens in the vault.

Against the simulators (`--simulators URL`) the command plays the person too: their authorize
page approves at once, so the whole flow runs unattended. Against a real platform it prints
the URL to open and waits for the platform to send the browser back to `--redirect-uri`,
which it serves on that address until the code arrives (or `wait_seconds` pass).
"""

from __future__ import annotations

import asyncio
import hmac
import html
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import uvicorn
from rich.console import Console
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from canonical_schema import Platform
from gateway.oauth_flow import OAuthFlows
from gateway.settings import ConfigError, Settings
from hub.store import Store
from hub.vault import CredentialVault

IGNORED = (
    "<p>This is not the authorization `mgw connect` is waiting for (its state does not "
    "match); nothing was done.</p>"
)


async def connect(
    settings: Settings,
    platform: Platform,
    redirect_uri: str,
    *,
    unattended: bool,
    console: Console,
    wait_seconds: float = 300.0,
) -> dict[str, Any]:
    keys = settings.vault_keys()
    store = await Store.open(settings.database_url)
    try:
        async with httpx.AsyncClient(timeout=settings.http_timeout_seconds) as http:
            flows = OAuthFlows(settings, CredentialVault(store, keys, actor="mgw connect"), http)
            url = flows.start(platform, redirect_uri)
            if unattended:
                code, state = await _approve(http, url)
            else:
                console.print(f"Open this URL to connect {platform.name}:\n{url}")
                expected = parse_qs(urlsplit(url).query)["state"][0]
                code, state = await _wait_for_callback(redirect_uri, wait_seconds, expected)
            return await flows.finish(platform, code, state)
    finally:
        await store.close()


async def _approve(http: httpx.AsyncClient, url: str) -> tuple[str, str]:
    answer = await http.get(url)
    location = answer.headers.get("location")
    if answer.status_code not in (302, 303) or location is None:
        raise ConfigError(f"the authorize page did not redirect back (HTTP {answer.status_code})")
    return _code_and_state(location)


def _code_and_state(url: str) -> tuple[str, str]:
    query = parse_qs(urlsplit(url).query)
    if "error" in query:
        raise ConfigError(f"the platform refused: {query['error'][0]}")
    if "code" not in query or "state" not in query:
        raise ConfigError("the platform sent no authorization code back")
    return query["code"][0], query["state"][0]


async def _wait_for_callback(redirect_uri: str, wait_seconds: float, state: str) -> tuple[str, str]:
    """The code the platform sends back to `redirect_uri` with this flow's `state`. A request
    with any other state (someone else's page, a guess) is answered and ignored: the flow
    waits on for the real one. What a page shows is escaped."""
    target = urlsplit(redirect_uri)
    arrived: asyncio.Future[tuple[str, str]] = asyncio.get_running_loop().create_future()

    async def callback(request: Request) -> Response:
        given = request.query_params.get("state", "")
        if not hmac.compare_digest(given.encode(), state.encode()):
            return HTMLResponse(IGNORED, status_code=400)
        try:
            found = _code_and_state(str(request.url))
        except ConfigError as exc:
            if not arrived.done():
                arrived.set_exception(exc)
            return HTMLResponse(f"<p>Not connected: {html.escape(str(exc))}</p>", status_code=400)
        if not arrived.done():
            arrived.set_result(found)
        return HTMLResponse("<p>Connected. You can close this window.</p>")

    app = Starlette(routes=[Route(target.path or "/", callback)])
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=target.hostname or "127.0.0.1", port=target.port or 80, log_level="warning"
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        return await asyncio.wait_for(arrived, wait_seconds)
    except TimeoutError:
        waited = f"{wait_seconds:.0f} s"
        raise ConfigError(f"no callback reached {redirect_uri} within {waited}") from None
    finally:
        server.should_exit = True
        await serving
