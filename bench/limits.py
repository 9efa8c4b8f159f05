"""Issue 6's rate-limit target, measured (not asserted in tests): three gateway processes
sharing one Redis, driven past HubSpot's limit for 60 s against the simulators with real
limits: the simulator never sees more than 100 calls in any 10 s window, counts zero 429s,
and serves at least 90 calls per 10 s on average.

Each `mgw serve --platforms hubspot` runs with MGW_CACHE=off (every read is a HubSpot call)
and MGW_REDIS_URL (one shared budget); one wrk per process POSTs `customer(email:)` for
rotating emails, far more than 10 a second. Reads past the budget wait for it up to the
operation deadline, then answer UPSTREAM_RATE_LIMITED without calling HubSpot.

    python bench/limits.py [--seconds 60] [--connections 8]

Uses REDIS_URL, or starts redis-server from PATH. Needs `wrk`; prints a table and writes
bench/results/limits.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
from processes import emails, free_port, mgw, simulators, wait_for, wrk, wrk_script

# bench/run.py points this elsewhere for its smoke test
RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")


def redis(stack: ExitStack) -> str:
    if url := os.environ.get("REDIS_URL"):
        return url
    if shutil.which("redis-server") is None:
        raise SystemExit("set REDIS_URL or put redis-server on PATH")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    stack.callback(process.wait, 10)
    stack.callback(process.terminate)
    time.sleep(0.5)
    return f"redis://127.0.0.1:{port}/0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--replicas", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        redis_url = redis(stack)
        sim, sim_process = simulators(2000, "real")
        stack.callback(sim_process.wait, 30)
        stack.callback(sim_process.terminate)
        script = wrk_script(Path(tmp) / "customer.lua", emails(sim, "hubspot", 1000))
        env = {"MGW_REDIS_URL": redis_url, "MGW_CACHE": "off"}
        urls = []
        for _ in range(args.replicas):
            port = free_port()
            command = (
                "serve",
                "--simulators",
                sim,
                "--platforms",
                "hubspot",
                "--port",
                str(port),
                "--log-level",
                "warning",
            )
            gateway = stack.enter_context(mgw(*command, env=env))
            urls.append(f"http://127.0.0.1:{port}")
            wait_for(f"{urls[-1]}/healthz", gateway)
        time.sleep(11)  # let the readiness checks leave HubSpot's window
        httpx.post(f"{sim}/_sim/reset")
        runs: list[dict[str, float]] = []
        threads = [
            threading.Thread(
                target=lambda url=url: runs.append(wrk(url, script, args.seconds, args.connections))
            )
            for url in urls
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stats = httpx.get(f"{sim}/_sim/stats").json()["hubspot"]
    calls = stats["requests"]
    results = {
        "replicas": args.replicas,
        "seconds": args.seconds,
        "gateway_requests": sum(run["requests"] for run in runs),
        "hubspot_calls": calls,
        "hubspot_calls_per_10s": round(calls / args.seconds * 10, 1),
        "max_requests_in_window": stats["max_requests_in_window"],
        "hubspot_429s": stats["responses_by_status"].get("429", 0),
        "responses_by_status": stats["responses_by_status"],
        "targets": {"max_requests_in_window": 100, "hubspot_429s": 0, "hubspot_calls_per_10s": 90},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "limits.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"gateway requests answered     {results['gateway_requests']:>8.0f}")
    checks = [
        ("max_requests_in_window", results["max_requests_in_window"] <= 100, "<= 100"),
        ("hubspot_429s", results["hubspot_429s"] == 0, "== 0"),
        ("hubspot_calls_per_10s", results["hubspot_calls_per_10s"] >= 90, ">= 90"),
    ]
    for name, ok, target in checks:
        print(f"{name:28} {results[name]:>8}   target {target}  {'ok' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
