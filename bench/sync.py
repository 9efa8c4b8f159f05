"""Issue 8's sync target, measured (not asserted in tests):

- a full sync of 100,000 HubSpot contacts with real rate limits finishes within 1.1x the
  minimum the quota allows, with worker RSS <= 300 MB.

Starts `mgw simulate --people N --rate-limits real`, runs `mgw sync run --platform hubspot
--full` against it in a fresh SQLite store, and reports the time, the upstream calls (from
`/_sim/stats`), the minimum the quota allows for them (HubSpot: 100 requests / 10 s, and 75 %
of that at the BULK priority sync runs at), and the sync process's peak RSS.

    python bench/sync.py [--people 100000]

Writes bench/results/sync.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

# bench/run.py points this elsewhere for its smoke test
RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
REQUESTS, WINDOW, BULK_SHARE = 100, 10.0, 0.75  # gateway/limits.py, cache/throttle.py


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=9391)
    args = parser.parse_args()
    url = f"http://127.0.0.1:{args.port}"
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "simulate",
            "--port",
            str(args.port),
            "--people",
            str(args.people),
            "--rate-limits",
            "real",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(1200):
            try:
                if httpx.get(f"{url}/_sim/credentials", timeout=1).is_success:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as workdir:
            env = {**os.environ, "MGW_DATABASE_URL": f"sqlite+aiosqlite:///{workdir}/bench.db"}
            started = time.monotonic()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "gateway",
                    "sync",
                    "run",
                    "--platform",
                    "hubspot",
                    "--full",
                    "--simulators",
                    url,
                ],
                env=env,
                cwd=workdir,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.monotonic() - started
        rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        stats = httpx.get(f"{url}/_sim/stats").json()["hubspot"]
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        return 1
    calls = stats["requests"]
    floor = calls / (REQUESTS / WINDOW)
    bulk_floor = calls / (REQUESTS * BULK_SHARE / WINDOW)
    result = {
        "people": args.people,
        "hubspot_calls": calls,
        "seconds": round(seconds, 1),
        "quota_minimum_seconds": round(floor, 1),
        "ratio_to_quota_minimum": round(seconds / floor, 2),
        "bulk_share_minimum_seconds": round(bulk_floor, 1),
        "ratio_to_bulk_share_minimum": round(seconds / bulk_floor, 2),
        "peak_rss_mb_of_largest_child": round(rss_mb, 1),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sync.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:>32}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
