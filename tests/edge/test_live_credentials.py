"""Credentials that stop holding while a client stays connected (issue 19, items 2 and 3).

A WebSocket (graphql-transport-ws, spoken by the `websockets` client as graphql-ws on npm
speaks it) and an SSE stream stay open for hours. Revoking their key with `mgw keys revoke`
— another process, against the store every replica reads — or reaching their JWT's `exp`
ends both, on every replica; and each operation over a socket spends the caller's edge rate
limit, the same window its HTTP requests spend.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import websockets
from joserfc import jwt
from joserfc.jwk import OctKey

from gateway.edge.settings import EdgeSettings
from gateway.security.api_keys import ApiKeyStore
from gateway.security.settings import SecuritySettings
from tests.edge.conftest import MakeApp, api_key, on_a_socket

SECRET = "a-shared-secret-of-thirty-two-characters-or-more"
SUBSCRIPTION = "subscription { customerEvent { type } }"
QUERY = "{ __typename }"
QUICK = SecuritySettings(key_cache_seconds=1, jwt_secret=SECRET)  # type: ignore[arg-type]


@asynccontextmanager
async def socket_of(base: str, credential: str) -> AsyncIterator[Any]:
    """A graphql-transport-ws socket authenticated in `connection_init`, acknowledged."""
    url = base.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
        await socket.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {credential}"}}
            )
        )
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        yield socket


async def run(socket: Any, operation_id: str, query: str = QUERY) -> dict[str, Any]:
    """Send one operation; its first message (`next` or `error`)."""
    await socket.send(
        json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
    )
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), 10))
        if message.get("id") == operation_id and message["type"] in ("next", "error"):
            return message


async def closed_code(socket: Any, within: float = 10) -> int | None:
    """The close code once the server closes `socket` (messages before are skipped)."""
    try:
        async with asyncio.timeout(within):
            while True:
                await socket.recv()
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None


async def stream_ending(base: str, credential: str, started: asyncio.Event) -> list[str]:
    """Open an SSE subscription with `credential`; the events it gets until it completes."""
    events: list[str] = []
    async with (
        httpx.AsyncClient(timeout=30) as client,
        client.stream(
            "POST",
            base + "/graphql/stream",
            json={"query": SUBSCRIPTION},
            headers={"authorization": f"Bearer {credential}", "accept": "text/event-stream"},
        ) as answer,
    ):
        assert answer.status_code == 200
        started.set()
        async for line in answer.aiter_lines():
            if line.startswith(("event:", "data:")):
                events.append(line)
            if line == "event: complete":
                break
    return events


def revoke_with_the_cli(database_url: str, key: str) -> None:
    """`mgw keys revoke <id>`, as an operator runs it: another process."""
    key_id = key.split("_")[1]
    env = {**os.environ, "MGW_DATABASE_URL": database_url}
    done = __import__("subprocess").run(
        [sys.executable, "-m", "gateway", "keys", "revoke", key_id],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


async def test_revoking_a_key_ends_its_sockets_and_streams_on_every_replica(
    make_app: MakeApp, database_url: str
) -> None:
    first, second = make_app("serve", security=QUICK), make_app("serve", security=QUICK)
    async with on_a_socket(first) as one, on_a_socket(second) as two:
        key = await api_key(first)  # both replicas read one store
        async with socket_of(one, key) as socket:
            assert (await run(socket, "before"))["payload"] == {"data": {"__typename": "Query"}}
            started = asyncio.Event()
            stream = asyncio.create_task(stream_ending(two, key, started))
            await asyncio.wait_for(started.wait(), 10)

            await asyncio.to_thread(revoke_with_the_cli, database_url, key)

            assert await closed_code(socket) == 4403
            events = await asyncio.wait_for(stream, 10)
        assert events[-2:] == ["event: complete", "data:"] or events[-1] == "event: complete"
        assert any("UNAUTHENTICATED" in line for line in events), events
        # A new socket with the key is refused at connection_init.
        url = one.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as again:  # type: ignore[list-item]
            await again.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
                )
            )
            assert await closed_code(again) == 4403


async def test_each_operation_on_a_socket_checks_the_key_again(make_app: MakeApp) -> None:
    """Revoked between two operations: the second is not answered, the socket closes —
    whatever the watcher's timing (a key cache of 0 s: every operation reads the store)."""
    app = make_app("serve", security=SecuritySettings(key_cache_seconds=0))
    async with on_a_socket(app) as base:
        key = await api_key(app)
        async with socket_of(base, key) as socket:
            assert (await run(socket, "1"))["type"] == "next"
            assert await ApiKeyStore(app.state.services.store).revoke(key.split("_")[1])
            await socket.send(
                json.dumps(
                    {
                        "id": "2",
                        "type": "subscribe",
                        "payload": {
                            "query": "{ customers(first: 1) { edges { node { email phone } } } }"
                        },
                    }
                )
            )
            assert await closed_code(socket, within=30) == 4403


async def test_a_jwt_ends_its_socket_and_stream_at_exp(make_app: MakeApp) -> None:
    app = make_app("serve", security=QUICK)
    expires = int(time.time()) + 3
    claims = {"sub": "svc-7", "exp": expires, "scope": "read:customers read:pii"}
    token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET))
    async with on_a_socket(app) as base, socket_of(base, token) as socket:
        assert (await run(socket, "1"))["type"] == "next"
        started = asyncio.Event()
        stream = asyncio.create_task(stream_ending(base, token, started))
        await asyncio.wait_for(started.wait(), 10)
        assert await closed_code(socket, within=15) == 4403
        assert time.time() >= expires
        events = await asyncio.wait_for(stream, 10)
    assert any("expired" in line for line in events), events


async def test_operations_on_a_socket_spend_the_http_rate_window(make_app: MakeApp) -> None:
    edge = EdgeSettings(rate_limit_requests=4, rate_limit_window_seconds=60)
    app = make_app("serve", edge=edge)
    async with on_a_socket(app) as base:
        key = await api_key(app)
        headers = {"authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=base) as client:
            answer = await client.post("/graphql", json={"query": QUERY}, headers=headers)
            assert answer.status_code == 200
        # The key comes in connection_init, so the upgrade counts against the address; each
        # operation then counts against the key: three more fit in its window of four.
        async with socket_of(base, key) as socket:
            answers = [await run(socket, str(n)) for n in range(6)]
        kinds = [message["type"] for message in answers]
        assert kinds == ["next", "next", "next", "error", "error", "error"], answers
        [refusal] = answers[3]["payload"]
        assert refusal["extensions"]["code"] == "RATE_LIMITED"
        assert refusal["extensions"]["retryAfter"] >= 1
        async with httpx.AsyncClient(base_url=base) as client:  # and HTTP is spent too
            answer = await client.post("/graphql", json={"query": QUERY}, headers=headers)
            assert answer.status_code == 429


async def test_the_legacy_protocol_checks_each_operation_too(make_app: MakeApp) -> None:
    """subscriptions-transport-ws (`graphql-ws` subprotocol, Apollo's older clients): the
    same rate window (the upgrade counts against the address, each `start` against the key)
    and the same revocation."""
    edge = EdgeSettings(rate_limit_requests=3, rate_limit_window_seconds=60)
    app = make_app("serve", edge=edge, security=SecuritySettings(key_cache_seconds=0))
    async with on_a_socket(app) as base:
        key = await api_key(app)
        url = base.replace("http://", "ws://") + "/graphql"
        async with websockets.connect(url, subprotocols=["graphql-ws"]) as socket:  # type: ignore[list-item]
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
            await socket.send(json.dumps(init))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            for n in range(5):  # the protocol carries subscriptions only
                start = {"id": str(n), "type": "start", "payload": {"query": SUBSCRIPTION}}
                await socket.send(json.dumps(start))
            refused = [json.loads(await asyncio.wait_for(socket.recv(), 10)) for _ in range(2)]
            assert [(m["type"], m["id"]) for m in refused] == [("error", "3"), ("error", "4")]
            assert refused[0]["payload"]["extensions"]["code"] == "RATE_LIMITED"
        async with websockets.connect(url, subprotocols=["graphql-ws"]) as socket:  # type: ignore[list-item]
            await socket.send(json.dumps(init))
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            assert await ApiKeyStore(app.state.services.store).revoke(key.split("_")[1])
            assert await closed_code(socket, within=30) == 4403
