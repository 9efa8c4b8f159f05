"""Issue 3's targets for the simulators, measured (not asserted in tests):

- `mgw simulate --people 100000` answers within 60 s of starting, using at most 1 GB RSS;
- with `--rate-limits off`, HubSpot's list of 100 contacts serves at least 800 requests/s on
  one core (one uvicorn worker), so the simulators are never a gateway benchmark's bottleneck.

    python bench/simulators.py [--people 100000] [--seconds 10] [--connections 16]

Needs `wrk` (Debian package `wrk`); prints a table and writes bench/results/simulators.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gateway.servers import free_port

# bench/run.py points this elsewhere for its smoke test
RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")


def rss_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url: str, token: str, seconds: int, connections: int) -> float:
    auth = f"Authorization: Bearer {token}"
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", auth, url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} error answers:\n{out}")
    return float(match.group(1)) if match else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    port = free_port()
    started = time.monotonic()
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gateway",
            "simulate",
            "--port",
            str(port),
            "--people",
            str(args.people),
            "--rate-limits",
            "off",
        ],
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                credentials = httpx.get(f"{base}/_sim/credentials", timeout=1).json()
                break
            except httpx.HTTPError:
                if sim.poll() is not None or time.monotonic() - started > 300:
                    raise SystemExit("the simulators did not start") from None
                time.sleep(0.2)
        ready = time.monotonic() - started
        rss_ready = rss_peak_mb(sim.pid)
        token = credentials["hubspot"]["private_app_token"]
        url = f"{base}/hubspot/crm/v3/objects/contacts?limit=100"
        wrk(url, token, 2, args.connections)  # warm up
        rps = wrk(url, token, args.seconds, args.connections)
        results = {
            "people": args.people,
            "ready_seconds": round(ready, 2),
            "rss_peak_mb": round(rss_peak_mb(sim.pid), 1),
            "rss_at_ready_mb": round(rss_ready, 1),
            "hubspot_list_100_rps": round(rps, 1),
            "targets": {"ready_seconds": 60, "rss_peak_mb": 1024, "hubspot_list_100_rps": 800},
        }
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "simulators.json").write_text(json.dumps(results, indent=2) + "\n")
    for name, target in results["targets"].items():  # type: ignore[union-attr]
        value = results[name]
        higher = name.endswith("rps")
        ok = value >= target if higher else value <= target
        verdict = "ok" if ok else "MISSED"
        print(f"{name:24} {value:>10}   target {'>=' if higher else '<='} {target}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
