"""`mgw demo --secure` as a person runs it: real processes, real sockets. The info file holds
both keys; the every-scope key reads and writes everything, the read key reads customers but
no PII and writes nothing; no key is 401; WebSockets authenticate in `connection_init`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from gateway.security.api_keys import ApiKeyStore
from gateway.servers import free_port
from hub.store import Store

pytestmark = pytest.mark.e2e

PERSON = "{ customers(first: 1) { edges { node { id firstName lifecycleStage } } } }"


@pytest.fixture(scope="module")
def secure_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("secure-demo")
    info_file = workdir / "info.json"
    command = [
        sys.executable,
        "-m",
        "gateway",
        "demo",
        "--secure",
        "--people",
        "60",
        "--keep-data",
        "--port",
        str(free_port()),
        "--sim-port",
        str(free_port()),
        "--info-file",
        str(info_file),
    ]
    # --keep-data: the test creates keys in the demo's store, named here
    environment = {**os.environ, "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'mgw.db'}"}
    log_path = workdir / "demo.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while not info_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"demo --secure did not come up:\n{log_path.read_text()}")
                time.sleep(0.1)
            info: dict[str, Any] = json.loads(info_file.read_text())
            info["log"] = log_path
            info["workdir"] = workdir
            yield info
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def post(demo: dict[str, Any], query: str, key: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {demo['api_keys'][key]}"} if key else {}
    return httpx.post(demo["graphql_url"], json={"query": query}, headers=headers, timeout=15)


def test_the_info_file_and_the_banner_hold_both_keys(secure_demo: dict[str, Any]) -> None:
    keys = secure_demo["api_keys"]
    assert set(keys) == {"all", "read"}
    assert all(key.startswith("mgw_") for key in keys.values())
    banner = Path(secure_demo["log"]).read_text()
    assert keys["all"] in banner
    assert keys["read"] in banner


def test_no_key_is_401(secure_demo: dict[str, Any]) -> None:
    response = post(secure_demo, PERSON, None)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_the_all_key_reads_pii_and_the_read_key_does_not(secure_demo: dict[str, Any]) -> None:
    people = httpx.get(secure_demo["simulator_url"] + "/_sim/people", params={"limit": 5})
    email = people.json()["people"][0]["email"]
    query = f'{{ customer(email: "{email}") {{ id firstName leadScore }} }}'

    full = post(secure_demo, query, "all").json()
    narrow = post(secure_demo, query, "read").json()

    assert "errors" not in full, full
    assert full["data"]["customer"]["firstName"]
    assert narrow["data"]["customer"] == {**full["data"]["customer"], "firstName": None}
    assert [e["extensions"]["code"] for e in narrow["errors"]] == ["FORBIDDEN"]
    assert narrow["errors"][0]["extensions"]["scope"] == "read:pii"


def test_the_read_key_cannot_write_or_run_admin_mutations(secure_demo: dict[str, Any]) -> None:
    for mutation in (
        'mutation { upsertCustomer(input: {email: "x@example.org"}) { results { status } } }',
        "mutation { triggerSync { id } }",
        'mutation { discardDeadLetter(id: "dlq_x") }',
    ):
        body = post(secure_demo, mutation, "read").json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = post(secure_demo, "mutation { triggerSync { id status } }", "all").json()
    assert allowed["data"]["triggerSync"]["id"]


async def connect(demo: dict[str, Any], payload: dict[str, Any]) -> Any:
    socket = await websockets.connect(
        demo["graphql_url"].replace("http://", "ws://"),
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    return socket


async def test_a_websocket_authenticates_in_connection_init(secure_demo: dict[str, Any]) -> None:
    key = secure_demo["api_keys"]["read"]
    socket = await connect(secure_demo, {"Authorization": f"Bearer {key}"})
    try:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        query = "subscription { customerChanged { changedFields customer { id } } }"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        await asyncio.sleep(0.3)  # registered before the change
        async with httpx.AsyncClient() as client:
            people = await client.get(
                secure_demo["simulator_url"] + "/_sim/people", params={"limit": 5}
            )
        email = people.json()["people"][1]["email"]
        write = f"""mutation {{ upsertCustomer(input: {{email: "{email}", lastName: "Socket"}})
                    {{ results {{ status }} }} }}"""
        written = await asyncio.to_thread(post, secure_demo, write, "all")
        assert "errors" not in written.json(), written.text
        message = json.loads(await asyncio.wait_for(socket.recv(), 15))
        assert message["type"] == "next", message
        assert "lastName" in message["payload"]["data"]["customerChanged"]["changedFields"]
    finally:
        await socket.close()


async def test_a_websocket_subscription_needs_read_customers(
    secure_demo: dict[str, Any],
) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{secure_demo['workdir'] / 'mgw.db'}")
    try:
        _, key = await ApiKeyStore(store).create("dlq only", "admin:dlq")
    finally:
        await store.close()
    socket = await connect(secure_demo, {"headers": {"authorization": f"Bearer {key}"}})
    try:
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
        query = "subscription { customerChanged { changedFields } }"
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
    finally:
        await socket.close()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert errors[0]["extensions"]["scope"] == "read:customers"


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer mgw_0123456789ab_nope"}])
async def test_a_websocket_without_a_good_key_is_closed(
    secure_demo: dict[str, Any], payload: dict[str, Any]
) -> None:
    socket = await connect(secure_demo, payload)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(socket.recv(), 10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403


async def test_a_websocket_may_authenticate_on_the_upgrade_instead(
    secure_demo: dict[str, Any],
) -> None:
    url = secure_demo["graphql_url"].replace("http://", "ws://")
    good = {"Authorization": f"Bearer {secure_demo['api_keys']['read']}"}

    async with websockets.connect(
        url,
        subprotocols=["graphql-transport-ws"],
        additional_headers=good,  # type: ignore[list-item]
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"

    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers={"Authorization": "Bearer mgw_0123456789ab_nope"},
        )
    assert refused.value.response.status_code == 401
    assert b"UNAUTHENTICATED" in refused.value.response.body
