"""`mgw dlq list` and `mgw dlq show` read the store alone: no platform credentials needed, and
at 80 columns the listed id is whole, so it can be pasted into `dlq show`."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canonical_schema import Platform
from gateway.cli import app
from hub.dead_letters import DeadLetters
from hub.store import Store


async def file_letter(url: str) -> str:
    store = await Store.open(url)
    now = datetime.now(UTC)
    try:
        async with store.engine.begin() as connection:
            return await DeadLetters(store).add(
                operation="upsertCustomer",
                platform=Platform.HUBSPOT,
                request_id="req-1",
                request={"input": {"email": "a.rather.long.address@example.org"}},
                last_response={"status": 400},
                error_class="FatalError",
                error_message="hubspot refused the write: " + "x" * 120,
                attempts=3,
                first_failed_at=now,
                last_failed_at=now,
                correlation_id="c" * 32,
                connection=connection,
            )
    finally:
        await store.close()


def test_list_shows_whole_ids_at_80_columns_and_show_finds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("MGW_"):
            monkeypatch.delenv(name)  # no platform is configured at all
    url = f"sqlite+aiosqlite:///{tmp_path / 'dlq.db'}"
    letter_id = asyncio.run(file_letter(url))
    env = {"MGW_DATABASE_URL": url, "COLUMNS": "80"}

    listed = CliRunner().invoke(app, ["dlq", "list"], env=env)

    assert listed.exit_code == 0, listed.output
    assert letter_id in listed.stdout
    shown = CliRunner().invoke(app, ["dlq", "show", letter_id], env=env)
    assert shown.exit_code == 0, shown.output
    assert "a.rather.long.address@example.org" in shown.stdout
