"""docs/platforms/hubspot.md's OAuth path, followed as written, against the simulators: set the
app's client id and secret and a vault key, `mgw connect hubspot`, then `mgw lookup` finds a
HubSpot person with the tokens from the vault alone (no token in the configuration)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from gateway.cli import app
from gateway.servers import free_port
from simulators import SimConfig, create_app

PAGE = Path(__file__).resolve().parents[2] / "docs" / "platforms" / "hubspot.md"


@pytest.fixture
def simulators() -> Iterator[str]:
    """The simulators on a local port, in a thread of their own (the CLI runs its own loop)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(SimConfig(people=40, rate_limits="off")),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    for _ in range(250):
        if server.started:
            break
        threading.Event().wait(0.02)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_connect_then_lookup_as_the_page_says(
    simulators: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert "mgw connect hubspot" in page
    assert "MGW_HUBSPOT__CLIENT_ID" in page
    assert "MGW_SECRET_KEY" in page
    for name in [n for n in __import__("os").environ if n.startswith("MGW_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MGW_DATA_DIR", str(tmp_path))  # the vault: the default store's mgw.db
    (tmp_path / "empty.toml").write_text("")
    monkeypatch.setenv("MGW_CONFIG", str(tmp_path / "empty.toml"))
    monkeypatch.setenv("MGW_SECRET_KEY", "docs-test-passphrase-0123456789")
    runner = CliRunner()

    connected = runner.invoke(app, ["connect", "hubspot", "--simulators", simulators])
    assert connected.exit_code == 0, connected.output
    assert "tokens sealed in the vault" in connected.output

    hubspot = httpx.get(f"{simulators}/_sim/credentials").json()["hubspot"]
    people = httpx.get(f"{simulators}/_sim/people", params={"limit": 40}).json()["people"]
    email = next(p["email"] for p in people if "hubspot" in p["external_ids"])
    monkeypatch.setenv("MGW_HUBSPOT__BASE_URL", f"{simulators}/hubspot")
    monkeypatch.setenv("MGW_HUBSPOT__CLIENT_ID", hubspot["client_id"])
    monkeypatch.setenv("MGW_HUBSPOT__CLIENT_SECRET", hubspot["client_secret"])

    found = runner.invoke(app, ["lookup", email, "--json"])
    assert found.exit_code == 0, found.output
    assert '"HUBSPOT"' in found.output
    assert email in found.output

    monkeypatch.setenv("MGW_SECRET_KEY", "another-passphrase-0123456789")
    refused = runner.invoke(app, ["lookup", email])
    assert refused.exit_code == 2, refused.output  # the vault opens only with its own key
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
