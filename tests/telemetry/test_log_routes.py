"""At INFO the logs name routes, not URLs carrying personal data, and no `mgw_` key
(issue 19): httpx's request lines (Salesforce's SOQL with emails, Mailchimp's member hashes)
and uvicorn's access log (GET `variables`, `?key=mgw_…`), through the gateway's own logging
setup (`configure_logging`, as `mgw serve` runs it)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.servers import free_port
from gateway.telemetry.logs import configure_logging

EMAIL = "ann.private@example.org"
KEY = "mgw_0123456789ab_" + "S" * 43


@pytest.fixture
def logged() -> Iterator[io.StringIO]:
    """What the gateway's logging (at INFO) writes during the test; the previous setup is put
    back after."""
    root, access = logging.getLogger(), logging.getLogger("uvicorn.access")
    kept = (root.handlers[:], root.level)
    access_level = access.level  # another test's uvicorn may have raised it
    access.setLevel(logging.NOTSET)
    configure_logging("INFO", json_lines=False)
    stream = io.StringIO()
    for handler in root.handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    try:
        yield stream
    finally:
        root.handlers[:], level = kept
        root.setLevel(level)
        access.setLevel(access_level)


async def test_upstream_calls_are_logged_as_routes(sim_app: object, logged: io.StringIO) -> None:
    member = hashlib.md5(EMAIL.encode(), usedforsecurity=False).hexdigest()
    transport = httpx.ASGITransport(app=sim_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as http:
        soql = f"SELECT Id FROM Contact WHERE Email IN ('{EMAIL}')"
        await http.get("/salesforce/services/data/v60.0/query", params={"q": soql})
        await http.get(f"/mailchimp/3.0/lists/abc123/members/{member}")

    written = logged.getvalue()
    assert "HTTP Request: GET http://sim.test/salesforce/services/data/v60.0/query " in written
    assert "/mailchimp/3.0/lists/{id}/members/{id}" in written
    for private in (EMAIL, "ann.private", member, "SELECT"):
        assert private not in written


async def test_the_access_log_has_no_query_and_no_key(logged: io.StringIO) -> None:
    app = Starlette(routes=[Route("/graphql", lambda request: PlainTextResponse("ok"))])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_config=None, log_level=None))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        variables = '{"email": "' + EMAIL + '"}'
        query = "query($email: String!) { customer(email: $email) { id } }"
        params = {"query": query, "variables": variables, "key": KEY}
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{port}/graphql", params=params)
    finally:
        server.should_exit = True
        await serving

    written = logged.getvalue()
    assert '"GET /graphql HTTP/1.1" 200' in written
    for private in (EMAIL, "variables", KEY, "mgw_0123456789ab_"):
        assert private not in written


def test_an_api_key_is_redacted_in_any_line(logged: io.StringIO) -> None:
    logging.getLogger("anything").warning("client sent %s in a header", KEY)

    written = logged.getvalue()
    assert KEY not in written
    assert "[REDACTED]" in written
