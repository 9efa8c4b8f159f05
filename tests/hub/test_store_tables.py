"""Every table exists once the store is open, whichever modules the process imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, sys
from sqlalchemy import inspect
from hub.store import Store

async def main():
    store = await Store.open("sqlite+aiosqlite:///%s")
    async with store.engine.connect() as connection:
        names = await connection.run_sync(lambda c: inspect(c).get_table_names())
    await store.close()
    print(",".join(sorted(names)))
    print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("sync_jobs", "gateway"))))

asyncio.run(main())
"""


def test_a_process_that_imports_only_the_store_gets_every_table(tmp_path: Path) -> None:
    database = tmp_path / "alone.db"
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT % database], capture_output=True, text=True, check=True
    )
    tables, upper = done.stdout.split("\n")[:2]
    assert {"mgw_sync_runs", "mgw_sync_checkpoints", "mgw_sync_leases", "mgw_api_keys"} <= set(
        tables.split(",")
    )
    assert {"mgw_propagation_seen", "mgw_webhook_events", "mgw_identities"} <= set(
        tables.split(",")
    )
    assert upper == ""  # nothing above the hub was imported to make them
