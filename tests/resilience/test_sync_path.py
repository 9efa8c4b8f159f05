"""The sync path of the fault matrix: an incremental sync of one faulted platform into the
identity index.

Each cell syncs one platform while it is faulted, then checks the index against the
simulators' ground truth: after a run that succeeded, every record the platform holds is in
the index once; after a run that failed, the index holds no record twice and the next run,
with the platform healthy, brings it level — nothing skipped, nothing twice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

from canonical_schema import Platform
from hub.tables import index_records
from tests.resilience.harness import Cell, inject, judge, open_cell, run_cells
from tests.resilience.matrix import cells, expected, ids, injection

CELLS = cells("sync")

WARM = "query($email: String!) { customer(email: $email) { email } }"


async def indexed(cell: Cell, platform: str) -> list[str]:
    """The email of every record of `platform` in the index, one entry a record."""
    async with cell.services.store.engine.connect() as connection:
        rows = await connection.execute(
            select(index_records.c.email).where(index_records.c.platform == platform)
        )
        return sorted(row.email for row in rows)


def held(people: list[dict[str, Any]], platform: str) -> list[str]:
    return sorted(p["email"] for p in people if platform in p["external_ids"])


async def assert_waits(cell: Cell, platform: str) -> None:
    """The run waits out the platform's window (10 s, 20 s) rather than call again: stopped
    after a second having made one round of calls; the next run, healthy, brings the index
    level."""
    before = await cell.calls(platform)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(cell.services.sync.run(Platform(platform)), 1.0)
    assert await cell.calls(platform) - before <= 2, "called again inside the window"
    await cell.clear()
    again = await cell.services.sync.run(Platform(platform))
    assert again.status == "SUCCEEDED", again
    assert await indexed(cell, platform) == held(cell.people, platform)


async def run_cell(platform: str, fault: str, folder: Path, template: Path) -> None:
    outcome = expected("sync", platform, fault)
    async with open_cell(folder, template) as cell:
        await cell.warm(WARM, email=cell.person(platform)["email"])
        truth = held(cell.people, platform)
        await inject(cell, platform, injection("sync", platform, fault))

        if outcome.kind == "WAITS":
            await assert_waits(cell, platform)
            return
        run = await cell.services.sync.run(Platform(platform))

        index = await indexed(cell, platform)
        assert len(index) == len(set(index)), "a record indexed twice"
        if outcome.kind in ("RECOVERS", "UNAFFECTED", "XFAIL"):
            assert run.status == "SUCCEEDED", run
            assert index == truth
            return
        assert outcome.kind == "RESUMES"
        assert run.status == "FAILED", run
        assert run.error
        assert set(index) <= set(truth)
        await cell.clear()
        if fault == "revoked" and platform not in ("marketo", "mailchimp"):
            return  # only a person reconnecting mends a revoked grant
        again = await cell.services.sync.run(Platform(platform))
        assert again.status == "SUCCEEDED", again
        assert await indexed(cell, platform) == truth


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def outcomes(
    tmp_path_factory: pytest.TempPathFactory, template: Path
) -> dict[tuple[str, str], BaseException | None]:
    return await run_cells(CELLS, run_cell, tmp_path_factory, template)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("platform", "fault"), CELLS, ids=ids(CELLS))
async def test_sync(
    platform: str,
    fault: str,
    outcomes: dict[tuple[str, str], BaseException | None],
    request: pytest.FixtureRequest,
) -> None:
    judge("sync", platform, fault, outcomes, request)
