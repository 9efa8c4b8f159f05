"""`mgw sync run` end to end: a real process against real simulators over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.servers import free_port, wait_until_answers

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def simulators() -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gateway",
        "simulate",
        "--port",
        str(port),
        "--people",
        "200",
        "--rate-limits",
        "off",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_answers(f"{url}/_sim/credentials", 60, lambda: process.poll() is None)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def mgw(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "gateway", "sync", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
        check=False,
    )


def test_sync_run_fills_the_index_then_reads_only_changes(simulators: str, tmp_path: Path) -> None:
    first = mgw(tmp_path, "run", "--simulators", simulators)
    assert first.returncode == 0, first.stderr
    for platform in ("hubspot", "salesforce", "shopify", "marketo", "mailchimp"):
        assert platform in first.stdout
    assert first.stdout.count("SUCCEEDED") == 6  # every platform, and the run over all

    person = httpx.get(f"{simulators}/_sim/people", params={"limit": 200}).json()["people"]
    email = next(p["email"] for p in person if "hubspot" in p["external_ids"])
    edit = {"email": email, "fields": {"firstname": "Cli"}}
    assert httpx.post(f"{simulators}/_sim/hubspot/mutate", json=edit).status_code == 200
    again = mgw(tmp_path, "run", "--platform", "hubspot", "--simulators", simulators)
    assert again.returncode == 0, again.stderr
    row = next(line for line in again.stdout.splitlines() if "SUCCEEDED" in line)
    assert [cell.strip() for cell in row.split("│") if cell.strip()][-3:-1] == ["1", "1"]

    status = mgw(tmp_path, "status")
    assert status.stdout.count("SUCCEEDED") == 7


def test_an_unknown_platform_is_refused(tmp_path: Path) -> None:
    result = mgw(tmp_path, "run", "--platform", "myspace")
    assert result.returncode == 2
    assert "not a platform" in result.stderr
