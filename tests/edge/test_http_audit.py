"""graphql-http's audit suite (the GraphQL over HTTP spec's MUSTs and SHOULDs, from npm) run by
Node against the gateway served by uvicorn on a real socket: every audit must be ok.

The npm package lives in tests/edge/node (package.json and package-lock.json committed);
`npm ci` installs it the first time. Without Node and npm the test is skipped, saying so (and
fails under CI=true, like every missing service)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gateway.edge.settings import EdgeSettings
from tests.conftest import missing_service
from tests.edge.conftest import MakeApp, api_key, on_a_socket

NODE_DIR = Path(__file__).resolve().parent / "node"


async def _run(*command: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *command,
        cwd=NODE_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
async def audit_suite() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing_service("Node.js and npm", "install Node 18+ with npm to run graphql-http's audits")
    if not (NODE_DIR / "node_modules" / "graphql-http").is_dir():
        code, out, err = await _run("npm", "ci", "--no-audit", "--no-fund")
        assert code == 0, f"npm ci failed:\n{out}\n{err}"
    return NODE_DIR / "audit.mjs"


async def audit(script: Path, url: str, headers: dict[str, str] | None = None) -> list[Any]:
    code, out, err = await _run(
        "node", str(script), url, env={"MGW_AUDIT_HEADERS": json.dumps(headers or {})}
    )
    assert code == 0, err
    results: list[Any] = json.loads(out)
    return results


async def test_every_graphql_over_http_audit_is_ok_in_the_demo_profile(
    audit_suite: Path, make_app: MakeApp
) -> None:
    async with on_a_socket(make_app("demo")) as base:
        results = await audit(audit_suite, f"{base}/graphql")
    failed = [r for r in results if r["status"] != "ok"]
    assert len(results) > 40
    print(json.dumps(results, indent=0)[:3000])
    assert failed == [], json.dumps(failed, indent=1)


async def test_every_audit_is_ok_in_the_serve_profile_for_a_client_with_a_key(
    audit_suite: Path, make_app: MakeApp
) -> None:
    """The serve profile's protections (a key, CSRF checks, bounds) break no rule of the
    spec for a client that sends its key and the CSRF header. Four audits pass variables to
    `__type(name: $name)`: introspection, off by default in serve; with it off they meet
    exactly that refusal, and nothing else fails."""
    for introspection in (True, False):
        app = make_app("serve", edge=EdgeSettings(introspection=introspection))
        async with on_a_socket(app) as base:
            headers = {"Authorization": f"Bearer {await api_key(app)}", "X-MGW-CSRF": "1"}
            results = await audit(audit_suite, f"{base}/graphql", headers)
        failed = [r for r in results if r["status"] != "ok"]
        assert len(results) > 40
        if introspection:
            assert failed == [], json.dumps(failed, indent=1)
        else:
            assert len(failed) == 4, json.dumps(failed, indent=1)
            assert all("{variables}" in r["name"] for r in failed)
