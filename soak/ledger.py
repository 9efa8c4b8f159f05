"""The soak's books: every upsert accepted is applied once on every platform or dead-lettered,
none applied twice, and the dead-letter queue replays to zero once the faults stop.

The store (PostgreSQL) says what the gateway accepted and how each target ended; the
simulators' write logs (`/_sim/{platform}/writes`) say what each platform really applied.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

PLATFORMS = ("hubspot", "salesforce", "shopify", "marketo", "mailchimp")


@dataclass
class Books:
    accepted: int
    """Upserts the store recorded (each a new person)."""
    targets: int
    applied: int
    dead_lettered: int
    unfinished: int
    duplicated: int
    """(platform, record) pairs the platform applied more than once."""
    by_platform: dict[str, dict[str, int]]


def _dsn(database_url: str) -> str:
    return database_url.replace("+asyncpg", "")


async def _rows(database_url: str, sql: str) -> list[Any]:
    connection = await asyncpg.connect(_dsn(database_url))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


async def settle(database_url: str, within: float) -> int:
    """Wait until no write is pending or retrying; the number still unfinished."""
    give_up = time.monotonic() + within
    while True:
        rows = await _rows(
            database_url,
            "SELECT count(*) AS n FROM mgw_write_targets WHERE status IN ('pending', 'retrying')",
        )
        left = int(rows[0]["n"])
        if left == 0 or time.monotonic() > give_up:
            return left
        await asyncio.sleep(1.0)


def written_ids(sim_url: str) -> dict[str, Counter[str]]:
    """Per platform, how many times each record was written."""
    found: dict[str, Counter[str]] = {}
    for platform in PLATFORMS:
        log = httpx.get(f"{sim_url}/_sim/{platform}/writes", timeout=30).json()["writes"]
        found[platform] = Counter(str(w.get("objectId", w.get("id"))) for w in log)
    return found


async def books(database_url: str, sim_url: str) -> Books:
    requests = await _rows(
        database_url,
        "SELECT count(*) AS n FROM mgw_write_requests WHERE email LIKE '%@soak.example'",
    )
    targets = await _rows(
        database_url,
        "SELECT t.platform, t.status, t.external_id FROM mgw_write_targets t "
        "JOIN mgw_write_requests r USING (request_id) WHERE r.email LIKE '%@soak.example'",
    )
    writes = written_ids(sim_url)
    by_platform: dict[str, dict[str, int]] = {}
    duplicated = 0
    for row in targets:
        counts = by_platform.setdefault(row["platform"], Counter())
        counts[row["status"]] += 1
        if row["external_id"] is not None and writes[row["platform"]][row["external_id"]] > 1:
            duplicated += 1
            counts["duplicated"] += 1
    statuses = Counter(row["status"] for row in targets)
    return Books(
        accepted=int(requests[0]["n"]),
        targets=len(targets),
        applied=statuses["written"] + statuses["skipped"],
        dead_lettered=statuses["dead_lettered"],
        unfinished=statuses["pending"] + statuses["retrying"],
        duplicated=duplicated,
        by_platform={p: dict(c) for p, c in sorted(by_platform.items())},
    )


async def open_dead_letters(database_url: str) -> int:
    rows = await _rows(
        database_url, "SELECT count(*) AS n FROM mgw_dead_letters WHERE state = 'open'"
    )
    return int(rows[0]["n"])


def replay(env: dict[str, str], sim_url: str, workdir: Path) -> tuple[int, str]:
    """`mgw dlq replay --all` as an operator runs it; (exit code, its output)."""
    log = workdir / "replay.log"
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "-m", "gateway", "dlq", "replay", "--all", "--simulators", sim_url],
            env={**env, "MGW_HTTP_TIMEOUT_SECONDS": "10", "MGW_JOBS__JOB_TIMEOUT_SECONDS": "60"},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
            check=False,
        )
    return done.returncode, log.read_text()
