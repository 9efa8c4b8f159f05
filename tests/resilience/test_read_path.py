"""The read path of the fault matrix: `customer(email:)` with one platform faulted.

Each cell reads a person every platform holds once healthy (tokens fetched, answer whole),
puts the fault on one platform, reads again and checks the outcome the table names; then,
the platform healthy again, the next answer is whole (for a revoked grant: still refused, as
only a person reconnecting can mend it)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.resilience.harness import BREAKER_OPEN, Cell, inject, judge, open_cell, run_cells
from tests.resilience.matrix import INJECT, RETRY_AFTER, cells, expected, ids

CELLS = cells("read")

QUERY = """query($email: String!) {
  customer(email: $email) { email displayName sources { platform externalId } } }"""
HEALTH = "{ integrations { platform status authValid circuit } }"


async def integration(cell: Cell, platform: str) -> dict[str, Any]:
    found = (await cell.graphql(HEALTH))["data"]["integrations"]
    mine: dict[str, Any] = next(i for i in found if i["platform"] == platform.upper())
    return mine


def everyone(cell: Cell) -> dict[str, Any]:
    return next(p for p in cell.people if len(p["external_ids"]) == 5)


async def run_cell(platform: str, fault: str, folder: Path, template: Path) -> None:
    outcome = expected("read", platform, fault)
    async with open_cell(folder, template) as cell:
        email = everyone(cell)["email"]
        whole = await cell.warm(QUERY, email=email)
        assert len(whole["data"]["customer"]["sources"]) == 5

        await inject(cell, platform, INJECT[fault])
        before = await cell.calls(platform)
        started = time.monotonic()
        body = await cell.graphql(QUERY, email=email)
        took = time.monotonic() - started
        calls = await cell.calls(platform) - before

        if outcome.kind in ("RECOVERS", "UNAFFECTED", "XFAIL"):
            assert body == whole, body
            if fault == "429_retry_after":
                assert took >= RETRY_AFTER, "Retry-After was not waited for"
            if fault in ("5xx_burst", "reset", "429_retry_after"):
                assert calls >= 3, "the fault never reached the platform"
            return

        # PARTIAL / BREAKER: the others answer; this platform's part is missing and named.
        customer = body["data"]["customer"]
        assert customer["email"] == email
        sources = {s["platform"] for s in customer["sources"]}
        assert sources == {s["platform"] for s in whole["data"]["customer"]["sources"]} - {
            platform.upper()
        }
        assert body["errors"], body
        for error in body["errors"]:
            assert error["extensions"]["platform"] == platform.upper(), error
            assert error["extensions"]["code"] == outcome.code, error
            assert error["extensions"]["correlationId"]
        health = await integration(cell, platform)
        if fault == "revoked":
            assert health["authValid"] is False
            assert calls <= 3, "a refused credential is not retried"
        if outcome.why.endswith("not called again"):
            # One round: no retry (Salesforce reads contacts and leads at once).
            assert calls <= 2, f"{calls} calls in a rate-limit storm"
        if outcome.kind == "BREAKER":
            assert health["circuit"] == "OPEN", health
            assert health["status"] == "DOWN"

        # Recovery: the platform healthy again, the next answer is whole.
        await cell.clear()
        if fault == "revoked" and platform not in ("marketo", "mailchimp"):
            again = await cell.graphql(QUERY, email=email)
            assert {e["extensions"]["code"] for e in again["errors"]} == {"UPSTREAM_AUTH"}
            return
        await asyncio.sleep(BREAKER_OPEN if outcome.kind == "BREAKER" else 0)
        if outcome.code == "UPSTREAM_RATE_LIMITED" and fault == "429_bare":
            return  # the learned window (10 s and more) is the platform's to end, not ours
        assert await cell.graphql(QUERY, email=email) == whole
        assert (await integration(cell, platform))["circuit"] == "CLOSED"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outcomes(
    tmp_path_factory: pytest.TempPathFactory, template: Path
) -> dict[tuple[str, str], BaseException | None]:
    return await run_cells(CELLS, run_cell, tmp_path_factory, template)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("platform", "fault"), CELLS, ids=ids(CELLS))
async def test_read(
    platform: str,
    fault: str,
    outcomes: dict[tuple[str, str], BaseException | None],
    request: pytest.FixtureRequest,
) -> None:
    judge("read", platform, fault, outcomes, request)
