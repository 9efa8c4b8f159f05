"""The write path of the fault matrix: `upsertCustomer` to one faulted platform, through the
job engine, retries and the dead-letter queue.

Each cell upserts a new person to one platform while it is faulted and checks the outcome
the table names against the platform's own write log (`/_sim/{platform}/writes`): written
exactly once, or dead-lettered and, replayed with the platform healthy, written exactly once
— never twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from hub.tables import write_targets
from tests.resilience.harness import Cell, eventually, inject, judge, open_cell, run_cells
from tests.resilience.matrix import cells, expected, ids, injection

CELLS = cells("write")

UPSERT = """mutation($input: CustomerInput!, $targets: [Platform!]) {
  upsertCustomer(input: $input, targets: $targets) {
    results { platform status externalId error deadLetterId } } }"""
REPLAY = """mutation($id: ID!) { replayDeadLetter(id: $id) {
  platform status externalId error deadLetterId } }"""
OPEN_LETTERS = "{ deadLetters { totalCount edges { node { id } } } }"
WARM = "query($email: String!) { customer(email: $email) { email } }"
LANDED = ("WRITTEN", "SKIPPED")


async def upsert(cell: Cell, platform: str, email: str) -> dict[str, Any]:
    person = {"email": email, "firstName": "Ada", "lastName": "Matrix"}
    body = await cell.graphql(UPSERT, input=person, targets=[platform.upper()])
    assert "errors" not in body, body
    (result,) = body["data"]["upsertCustomer"]["results"]
    assert result["platform"] == platform.upper()
    return dict(result)


async def open_letters(cell: Cell) -> int:
    return int((await cell.graphql(OPEN_LETTERS))["data"]["deadLetters"]["totalCount"])


async def settled(cell: Cell, platform: str, result: dict[str, Any]) -> dict[str, Any]:
    """A write still retrying when the mutation answered: its end, as the platform's write
    log and the dead-letter queue show it."""

    async def ended() -> bool:
        async with cell.services.store.engine.connect() as connection:
            rows = await connection.execute(select(write_targets.c.status))
            return all(row.status not in ("pending", "retrying") for row in rows)

    # A bound for a hung test, not a speed requirement: six cells share two loaded cores.
    assert await eventually(ended, within=120.0), "the write neither landed nor dead-lettered"
    letters = (await cell.graphql(OPEN_LETTERS))["data"]["deadLetters"]["edges"]
    if letters:
        return {**result, "status": "DEAD_LETTERED", "deadLetterId": letters[0]["node"]["id"]}
    return {**result, "status": "WRITTEN"}


async def run_cell(platform: str, fault: str, folder: Path, template: Path) -> None:
    outcome = expected("write", platform, fault)
    email = f"{platform}.{fault.replace('_', '-')}@matrix.example"
    async with open_cell(folder, template) as cell:
        await cell.warm(WARM, email=cell.person(platform)["email"])
        await inject(cell, platform, injection("write", platform, fault))

        result = await upsert(cell, platform, email)
        if result["status"] == "QUEUED" and outcome.kind != "QUEUED":
            result = await settled(cell, platform, result)

        if outcome.kind in ("RECOVERS", "UNAFFECTED", "XFAIL"):
            assert result["status"] in LANDED, result
            assert len(await cell.writes(platform)) == 1, "not written exactly once"
            if fault in ("reset", "5xx_burst"):
                faults = (await cell.sim.get("/_sim/faults")).json()["faults"]
                assert faults == {}, "the fault was never hit"
            return
        if outcome.kind == "QUEUED":
            assert result["status"] == "QUEUED", result
            assert "RateLimitedError" in (result["error"] or ""), result
            assert await cell.writes(platform) == []
            assert await open_letters(cell) == 0
            return

        # DLQ: dead-lettered, nothing or the one landed write in the log; then the replay.
        assert outcome.kind == "DLQ"
        assert result["status"] == "DEAD_LETTERED", result
        assert result["deadLetterId"]
        landed_before = len(await cell.writes(platform))
        assert landed_before <= 1
        assert await open_letters(cell) == 1
        await cell.clear()
        replayed = (await cell.graphql(REPLAY, id=result["deadLetterId"]))["data"][
            "replayDeadLetter"
        ]
        if replayed["status"] == "QUEUED":  # accepted; the mutation's wait ran out first
            replayed = await settled(cell, platform, replayed)
        if outcome.why.endswith("until reconnected"):
            assert replayed["status"] == "DEAD_LETTERED", replayed  # back, under a new id
            assert replayed["deadLetterId"] != result["deadLetterId"]
            assert await cell.writes(platform) == []
            return
        assert replayed["status"] in LANDED, replayed
        assert len(await cell.writes(platform)) == 1, "not written exactly once"
        assert await open_letters(cell) == 0


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outcomes(
    tmp_path_factory: pytest.TempPathFactory, template: Path
) -> dict[tuple[str, str], BaseException | None]:
    return await run_cells(CELLS, run_cell, tmp_path_factory, template)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("platform", "fault"), CELLS, ids=ids(CELLS))
async def test_write(
    platform: str,
    fault: str,
    outcomes: dict[tuple[str, str], BaseException | None],
    request: pytest.FixtureRequest,
) -> None:
    judge("write", platform, fault, outcomes, request)
