"""A caller that hangs up mid-request (the gateway abandoning a call at its deadline) ends the
request quietly: no exception reaches the server, so no `ClientDisconnect` traceback in the
simulators' log."""

from __future__ import annotations

import httpx
from starlette.types import Message

from simulators import SimConfig, create_app


async def test_a_caller_that_hangs_up_mid_body_is_no_error() -> None:
    app = create_app(SimConfig(seed=7, people=5, rate_limits="off"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        token = (await client.get("/_sim/credentials")).json()["hubspot"]["private_app_token"]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/hubspot/crm/v3/objects/contacts/batch/read",
        "raw_path": b"/hubspot/crm/v3/objects/contacts/batch/read",
        "query_string": b"",
        "root_path": "",
        "server": ("sim", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)  # raised ClientDisconnect before the fix
