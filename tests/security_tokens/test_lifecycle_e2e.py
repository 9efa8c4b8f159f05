"""The token lifecycle over real processes: two `mgw serve` replicas, one Redis, one store,
5-second platform tokens — and the log scan of everything that run wrote.

Set up once for both tests (starting processes is most of the cost): the simulators (tokens
live 5 s; webhooks go to replica A), `mgw connect` for HubSpot, Shopify and Salesforce (the
authorization-code flow; tokens sealed in the vault, from which the connectors then read them
and to which they write the renewed ones — Shopify's refresh token rotating every time), and
two `mgw serve` replicas with JSON logs at DEBUG level, exporting traces over OTLP/HTTP to a
receiver in this process.

1. One refresh per expiry across the two replicas under concurrent load, counted from both
   sides: the simulators' token endpoints (`/_sim/stats`) and the vault's audit log.
2. The log scan: a demo-like scenario (reads across all five platforms through refreshes, an
   upsert, signed webhooks and Mailchimp's secret-path one, a platform failing, a refused query,
   HubSpot's tokens revoked), then everything the gateway side wrote — stdout and stderr of
   both replicas and of each `mgw connect`, every answer, the `/metrics` text and every span
   batch exported (raw OTLP protobuf, whose strings are UTF-8) — is searched for every secret
   of `/_sim/credentials`, the vault key, and every token the vault held during the run. It
   stops the replicas (flushing their spans), so it runs last. The simulators' own output is
   not scanned: they are the platforms, not the gateway. A `mgw worker` (DEBUG too) runs the
   jobs — write-back, webhook processing — and its output is scanned as well.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from rich.console import Console
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from canonical_schema import Platform
from gateway.connect import connect as run_connect
from gateway.servers import free_port, wait_until_answers
from gateway.settings import Settings
from gateway.simulated import fetch_credentials, with_simulators
from hub.store import Store
from hub.tables import credentials
from hub.vault import KDF_ROW, CredentialVault, key_ring

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

TTL = 5
LOAD_SECONDS = 12.0
# A 5 s token is renewed a quarter of its life ahead, every 3.75 s; two refreshes of one
# expiry would come within moments of each other.
MIN_GAP_SECONDS = 2.5
KEY = "the replicas share this vault passphrase"
TOKEN_ROUTES = {
    "hubspot": "POST /oauth/v1/token",
    "shopify": "POST /admin/oauth/access_token",
    "salesforce": "POST /services/oauth2/token",
}
SECRET_FIELDS = ("secret", "token", "api_key", "password")
CUSTOMER = """query ($email: String!) { customer(email: $email) {
  email firstName emailConsent leadScore sources { platform externalId } } }"""
UPSERT = """mutation ($input: CustomerInput!) {
  upsertCustomer(input: $input, targets: [HUBSPOT, MAILCHIMP]) { results { platform status } } }"""
INTEGRATIONS = "{ integrations { platform status authValid authProblem } }"
REDIRECT = "http://127.0.0.1:8765/oauth/callback"


class Capture:
    """What the gateway side wrote or answered, and every token the vault held."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.spans: list[bytes] = []
        self.tokens: set[str] = set()
        self.lock = threading.Lock()

    def add(self, name: str, text: str) -> None:
        with self.lock:
            self.texts[name] = self.texts.get(name, "") + text + "\n"


class Background:
    """The OTLP receiver and the vault watcher, on threads of their own."""

    def __init__(self, capture: Capture, database_url: str) -> None:
        self.capture = capture
        self.database_url = database_url
        self.stop = threading.Event()
        port = free_port()
        self.otlp = f"http://127.0.0.1:{port}/v1/traces"

        async def traces(request: Request) -> Response:
            body = await request.body()
            with capture.lock:
                capture.spans.append(body)
            return Response(b"", media_type="application/x-protobuf")

        app = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error")
        self.receiver = uvicorn.Server(config)
        self.threads = [
            threading.Thread(target=self.receiver.run, daemon=True),
            threading.Thread(target=lambda: asyncio.run(self.watch()), daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    async def watch(self) -> None:
        """Every token value sealed in the vault, read straight from the table (no audit
        rows) every half second: each access token and each rotated refresh token."""
        store = await Store.open(self.database_url)
        fernet = await key_ring(store, [KEY])
        try:
            while True:
                async with store.engine.connect() as connection:
                    sealed = select(credentials.c.sealed).where(
                        credentials.c.platform != KDF_ROW[0]
                    )
                    rows = (await connection.execute(sealed)).all()
                for row in rows:
                    for name, value in json.loads(fernet.decrypt(row.sealed)).items():
                        if "token" in name and isinstance(value, str):
                            self.capture.tokens.add(value)
                if self.stop.is_set():
                    return  # after one last look
                await asyncio.sleep(0.5)
        finally:
            await store.close()

    def close(self) -> None:
        self.stop.set()
        self.receiver.should_exit = True
        for thread in self.threads:
            thread.join(timeout=15)


def start(
    command: list[str], workdir: Path, env: dict[str, str], name: str
) -> subprocess.Popen[bytes]:
    with (workdir / f"{name}.out").open("w") as out, (workdir / f"{name}.err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "gateway", *command],
            cwd=workdir,
            env=env,
            stdout=out,
            stderr=err,
        )


def connect(platform: str, sim: str, env: dict[str, str], workdir: Path, capture: Capture) -> None:
    """`mgw connect <platform> --simulators URL`: unattended against the simulators."""
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "connect", platform, "--simulators", sim],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    capture.add(f"mgw connect {platform} stdout", done.stdout)
    capture.add(f"mgw connect {platform} stderr", done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr


async def connect_here(platform: str, sim: str, database_url: str) -> str:
    """What `mgw connect` runs, in this process; returns what it printed."""
    printed = io.StringIO()
    chosen = Settings(secret_key=KEY, database_url=database_url)
    settings = with_simulators(chosen, sim, fetch_credentials(sim))
    await run_connect(
        settings, Platform(platform), REDIRECT, unattended=True, console=Console(file=printed)
    )
    return printed.getvalue()


@pytest.fixture(scope="module")
def stack(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("token-lifecycle")
    database_url = f"sqlite+aiosqlite:///{workdir / 'shared.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    env.update(MGW_PROFILE="demo", MGW_SECRET_KEY=KEY, MGW_DATABASE_URL=database_url)
    # Token lifecycles are spent by calls: every read goes to the platforms, not the store.
    env.update(MGW_READ__MAX_STALENESS_SECONDS="0")
    capture = Capture()
    sim_port, ports = free_port(), [free_port(), free_port()]
    sim = f"http://127.0.0.1:{sim_port}"
    gateways = [f"http://127.0.0.1:{port}" for port in ports]
    processes = [
        start(
            [
                "simulate",
                "--port",
                str(sim_port),
                "--people",
                "100",
                "--rate-limits",
                "off",
                "--token-ttl",
                str(TTL),
                "--webhook-url",
                gateways[0],
            ],
            workdir,
            env,
            "sim",
        )
    ]
    background: Background | None = None
    try:
        if not wait_until_answers(
            f"{sim}/_sim/credentials", 60, lambda: processes[0].poll() is None
        ):
            pytest.fail((workdir / "sim.err").read_text())
        connect("hubspot", sim, env, workdir, capture)  # the CLI, as an operator runs it
        for platform in ("shopify", "salesforce"):  # the same flow in-process: no start-up cost
            capture.add(
                f"connect {platform}", asyncio.run(connect_here(platform, sim, database_url))
            )
        background = Background(capture, database_url)
        served = {
            **env,
            "MGW_REDIS_URL": redis_url,
            "MGW_LOG_FORMAT": "json",
            "MGW_OTLP_ENDPOINT": background.otlp,
            "MGW_CACHE": "off",  # every read goes to the platforms, with their tokens
            "MGW_LIMITS__HUBSPOT__REQUESTS": "10000",
            "MGW_LIMITS__HUBSPOT__SEARCH_PER_SECOND": "1000",
            "MGW_LIMITS__MARKETO__REQUESTS": "10000",
            "MGW_JOBS__QUEUE_NAME": f"mgw:jobs:{workdir.name}",  # this stack's worker only
        }
        for name, port in zip("ab", ports, strict=True):
            command = ["serve", "--simulators", sim, "--port", str(port), "--log-level", "debug"]
            processes.append(start(command, workdir, served, name))
        worker = ["worker", "--simulators", sim, "--log-level", "debug"]
        processes.append(start(worker, workdir, served, "worker"))
        for name, url, process in zip("ab", gateways, processes[1:3], strict=True):
            if not wait_until_answers(f"{url}/healthz", 60, lambda p=process: p.poll() is None):
                pytest.fail((workdir / f"{name}.err").read_text())
        yield {
            "sim": sim,
            "gateways": gateways,
            "processes": processes[1:],
            "dir": workdir,
            "database_url": database_url,
            "capture": capture,
            "background": background,
        }
    finally:
        if background is not None:
            background.close()
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def people(sim: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = httpx.get(f"{sim}/_sim/people", params={"limit": 100}).json()[
        "people"
    ]
    return found


async def load(gateways: list[str], emails: list[str], seconds: float) -> list[dict[str, Any]]:
    """Three callers per replica asking for customers for `seconds`; every answer."""
    answers: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds

    async def caller(http: httpx.AsyncClient, offset: int) -> None:
        index = offset
        while time.monotonic() < deadline:
            body = {"query": CUSTOMER, "variables": {"email": emails[index % len(emails)]}}
            answers.append((await http.post("/graphql", json=body)).json())
            index += 7
            await asyncio.sleep(0.05)

    clients = [httpx.AsyncClient(base_url=url, timeout=30) for url in gateways]
    try:
        await asyncio.gather(*(caller(c, i) for i in range(3) for c in clients))
    finally:
        for client in clients:
            await client.aclose()
    return answers


async def refreshes(database_url: str, platform: str) -> list[float]:
    store = await Store.open(database_url)
    try:
        audit = await CredentialVault(store, [KEY]).audit(platform, limit=10_000)
    finally:
        await store.close()
    return sorted(row["at"].timestamp() for row in audit if row["reason"] == "token refreshed")


def test_one_refresh_per_expiry_across_two_processes(stack: dict[str, Any]) -> None:
    sim = stack["sim"]
    emails = [p["email"] for p in people(sim) if set(TOKEN_ROUTES) <= set(p["external_ids"])]
    assert len(emails) >= 5

    answers = asyncio.run(load(stack["gateways"], emails, LOAD_SECONDS))

    assert len(answers) > 50
    failed = [a for a in answers if a.get("errors")]
    assert not failed, failed[:3]
    stats = httpx.get(f"{sim}/_sim/stats").json()
    for platform, route in TOKEN_ROUTES.items():
        refreshed = asyncio.run(refreshes(stack["database_url"], platform))
        grants = stats[platform]["requests_by_route"][route]
        assert grants == len(refreshed) + 1, platform  # + the code exchange of `mgw connect`
        assert len(refreshed) >= 2, platform  # it went through several expiries
        gaps = [later - earlier for earlier, later in itertools.pairwise(refreshed)]
        assert min(gaps) >= MIN_GAP_SECONDS, (platform, gaps)
    for platform in ("hubspot", "shopify"):  # renewed ahead: never refused for expiry
        assert "401" not in stats[platform]["responses_by_status"], stats[platform]


async def scenario(gateways: list[str], sim: str, capture: Capture) -> None:
    async with httpx.AsyncClient(timeout=30) as http:

        async def graphql(query: str, gateway: str = gateways[0], **variables: Any) -> Any:
            answer = await http.post(
                f"{gateway}/graphql", json={"query": query, "variables": variables}
            )
            capture.add("graphql answers", answer.text)
            return answer.json()

        everyone = (await http.get(f"{sim}/_sim/people", params={"limit": 100})).json()["people"]
        everywhere = [p for p in everyone if len(p["external_ids"]) >= 4]
        emails = [p["email"] for p in everywhere[:6]]
        for round_ in range(7):  # ~6 s: every 5 s token is renewed again meanwhile
            answers = await asyncio.gather(
                *(graphql(CUSTOMER, gateway, email=e) for e in emails[:2] for gateway in gateways)
            )
            assert all(a["data"]["customer"] for a in answers), answers
            if round_ == 1:
                upsert = await graphql(UPSERT, input={"email": emails[3], "firstName": "Scan"})
                assert upsert["data"]["upsertCustomer"]["results"], upsert
                for platform, fields in (
                    ("hubspot", {"firstname": "Hooked"}),
                    ("shopify", {"first_name": "Hooked"}),
                    ("mailchimp", {"FNAME": "Hooked"}),
                ):
                    holder = next(p["email"] for p in everywhere if platform in p["external_ids"])
                    mutated = await http.post(
                        f"{sim}/_sim/{platform}/mutate", json={"email": holder, "fields": fields}
                    )
                    assert mutated.status_code == 200, mutated.text
            if round_ == 3:  # Marketo failing: retries and errors, its token calls included
                fault = {"platform": "marketo", "error_rate": 0.6, "status": 503}
                assert (await http.post(f"{sim}/_sim/faults", json=fault)).status_code == 200
            if round_ == 5:
                await http.delete(f"{sim}/_sim/faults")
            await asyncio.sleep(0.5)
        await graphql("{ customer(email: 1) { email } }")  # a refused query: an error path
        await http.post(f"{sim}/_sim/hubspot/revoke")  # HubSpot's tokens die: auth error paths
        revoked = await graphql(CUSTOMER, email=emails[4])
        assert revoked["errors"][0]["extensions"]["code"] == "UPSTREAM_AUTH", revoked
        await graphql(INTEGRATIONS)
        for gateway in gateways:
            for path in ("/health/integrations", "/health/ready", "/metrics"):
                capture.add(f"GET {path}", (await http.get(f"{gateway}{path}")).text)
        deliveries = (await http.get(f"{sim}/_sim/webhooks")).json()["deliveries"]
        delivered = {d["platform"] for d in deliveries if d["delivered"]}
        assert delivered >= {"hubspot", "shopify", "mailchimp"}, deliveries


def secrets_of(published: dict[str, Any]) -> set[str]:
    found = set()
    for fields in published.values():
        for name, value in fields.items():
            if any(part in name for part in SECRET_FIELDS) and isinstance(value, str):
                found.add(value)
    return found


def test_no_secret_or_token_appears_in_anything_the_gateway_wrote(stack: dict[str, Any]) -> None:
    sim, capture, workdir = stack["sim"], stack["capture"], stack["dir"]
    asyncio.run(scenario(stack["gateways"], sim, capture))
    stats = httpx.get(f"{sim}/_sim/stats").json()
    published = httpx.get(f"{sim}/_sim/credentials").json()
    for process in stack["processes"]:  # a clean exit flushes the span batches
        process.send_signal(signal.SIGINT)
    for process in stack["processes"]:
        process.wait(timeout=30)
    stack["background"].close()
    lines: dict[str, list[dict[str, Any]]] = {}
    for name in ("a", "b", "worker"):
        for stream in ("out", "err"):
            capture.add(f"mgw {name} std{stream}", (workdir / f"{name}.{stream}").read_text())
        written = capture.texts[f"mgw {name} stderr"].splitlines()
        # (The worker's first lines, before it configures logging, are plain text.)
        lines[name] = [json.loads(line) for line in written if line.startswith("{")]

    # The run did what it had to, so that finding nothing means something.
    for platform, route in TOKEN_ROUTES.items():
        assert stats[platform]["requests_by_route"][route] >= 3, platform  # refreshed
    assert len(capture.tokens) >= 10  # access and refresh tokens, as they rotated
    assert {line["level"] for line in lines["a"]} >= {"debug", "info"}
    assert {"httpx", "httpcore.http11", "uvicorn.access"} <= {x["logger"] for x in lines["a"]}
    assert {"arq.worker", "httpx"} <= {line["logger"] for line in lines["worker"]}  # it worked
    assert capture.spans
    assert capture.texts["GET /metrics"].count("\n") > 50

    secrets = {s for s in secrets_of(published) | capture.tokens | {KEY} if len(s) >= 6}
    texts = [*capture.texts.items(), *(("spans", b.decode("latin-1")) for b in capture.spans)]
    leaks = [(where, secret) for where, text in texts for secret in secrets if secret in text]
    assert not leaks, leaks
