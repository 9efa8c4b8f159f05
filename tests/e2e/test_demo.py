"""`mgw demo` as a person runs it: real processes, real sockets, seeded simulators."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest


def get(url: str, **kwargs: Any) -> httpx.Response:
    """A demo on a loaded machine may take longer than httpx's 5 s to answer a live read."""
    return httpx.get(url, timeout=30, **kwargs)


def post(url: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(url, timeout=30, **kwargs)


pytestmark = pytest.mark.e2e


def held(demo: dict[str, Any], person: dict[str, Any]) -> list[tuple[str, str]]:
    """Ground truth: the (platform, external id) of every connected platform holding them."""
    health = get(demo["graphql_url"].removesuffix("/graphql") + "/healthz").json()
    connected = {name.lower() for name in health["platforms"]}
    return sorted((p.upper(), i) for p, i in person["external_ids"].items() if p in connected)


def test_the_info_file_names_what_answers(demo: dict[str, Any]) -> None:
    assert demo["pid"] != os.getpid()
    assert get(demo["graphql_url"], headers={"accept": "text/html"}).status_code == 200
    assert get(demo["simulator_url"] + "/_sim/credentials").status_code == 200


def test_the_printed_sample_email_answers_with_its_hubspot_record(demo: dict[str, Any]) -> None:
    printed = Path(demo["log"]).read_text()
    people = get(demo["simulator_url"] + "/_sim/people", params={"limit": 300}).json()
    person = next(
        p for p in people["people"] if "hubspot" in p["external_ids"] and p["email"] in printed
    )

    query = (
        f'{{ customer(email: "{person["email"]}") '
        "{ email displayName sources { platform externalId } } }"
    )
    response = post(demo["graphql_url"], json={"query": query})

    assert response.status_code == 200
    customer = response.json()["data"]["customer"]
    assert customer["email"] == person["email"]
    assert sorted((s["platform"], s["externalId"]) for s in customer["sources"]) == held(
        demo, person
    )
    assert customer["displayName"]


def test_a_dashboard_pages_through_customers(demo: dict[str, Any]) -> None:
    query = (
        "{ customers(first: 50) { totalCount edges { node { email } } pageInfo { hasNextPage } } }"
    )
    body = post(demo["graphql_url"], json={"query": query}).json()
    connection = body["data"]["customers"]
    assert len(connection["edges"]) == 50
    assert connection["totalCount"] > 50
    assert connection["pageInfo"]["hasNextPage"] is True


def run_lookup(
    demo: dict[str, Any], tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'l.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "gateway", "lookup", *args, "--simulators", demo["simulator_url"]],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=tmp_path,
        check=False,
    )


def test_lookup_resolves_a_person_with_provenance(demo: dict[str, Any], tmp_path: Path) -> None:
    people = get(demo["simulator_url"] + "/_sim/people", params={"limit": 50}).json()
    person = next(p for p in people["people"] if "hubspot" in p["external_ids"])

    result = run_lookup(demo, tmp_path, f"  {person['email'].upper()} ", "--json")

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["failures"] == []
    customer = body["customer"]
    assert customer["email"] == person["email"]
    assert sorted((s["platform"], s["external_id"]) for s in customer["sources"]) == held(
        demo, person
    )
    assert set(customer["provenance"].values()) <= {platform for platform, _ in held(demo, person)}


def test_lookup_of_nobody_and_of_a_non_email(demo: dict[str, Any], tmp_path: Path) -> None:
    nobody = run_lookup(demo, tmp_path, "nobody@nowhere.example")
    assert nobody.returncode == 1
    assert "No connected platform holds" in nobody.stdout
    bad = run_lookup(demo, tmp_path, "not-an-email")
    assert bad.returncode == 2
    assert "not an email address" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_lookup_prints_plain_values_and_says_when_a_platform_refused(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    people = get(demo["simulator_url"] + "/_sim/people", params={"limit": 50}).json()
    person = next(p for p in people["people"] if len(p["external_ids"]) == 5)

    found = run_lookup(demo, tmp_path, person["email"])
    assert found.returncode == 0, found.stderr
    assert "Decimal(" not in found.stdout
    assert "<" + "Platform." not in found.stdout

    refused = {"platform": "hubspot", "error_rate": 1.0, "status": 401}
    post(demo["simulator_url"] + "/_sim/faults", json=refused).raise_for_status()
    try:
        partial = run_lookup(demo, tmp_path, person["email"])
    finally:
        httpx.delete(demo["simulator_url"] + "/_sim/faults").raise_for_status()
    assert partial.returncode == 3, partial.stdout  # not 1: someone may well hold the email
    assert "HUBSPOT failed" in partial.stdout


def test_connect_runs_the_oauth_flow_unattended_against_the_simulators(
    demo: dict[str, Any], tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'c.db'}",
        "MGW_SECRET_KEY": "a vault passphrase for the test",
    }
    command = [
        sys.executable,
        "-m",
        "gateway",
        "connect",
        "salesforce",
        "--simulators",
        demo["simulator_url"],
    ]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "connected SALESFORCE" in done.stdout
    without_key = {k: v for k, v in environment.items() if k != "MGW_SECRET_KEY"}
    refused = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env=without_key,
        cwd=tmp_path,
        check=False,
    )
    assert refused.returncode == 2
    assert "MGW_SECRET_KEY" in refused.stderr
