"""Issue 6's cache target, measured (not asserted in tests): warm-cache `customer(email:)`
serves at least 10x the requests/s of the cold path (cache off) on the same machine.

Both runs: `mgw serve --simulators URL` over all five simulated platforms (limits off in the
simulators, and the gateway's own limits raised out of the way, so the cold path measures the
fan-out rather than HubSpot's 10 calls/s), driven by wrk POSTing `customer(email:)` for the
same rotating set of emails, with the store out of the way (`MGW_READ__MAX_STALENESS_SECONDS=0`:
issue 18's store answers without the platforms either; bench/store.py measures it). Warm:
MGW_CACHE=memory, every email read once first. Cold: MGW_CACHE=off, every request fans out to
the five platforms.

    python bench/cache.py [--seconds 10] [--connections 16] [--emails 200]

Needs `wrk`; prints a table and writes bench/results/cache.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import httpx
from processes import QUERY, emails, free_port, mgw, simulators, wait_for, wrk, wrk_script

# bench/run.py points this elsewhere for its smoke test
RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
UNLIMITED = {
    f"MGW_LIMITS__{name}": "1000000000"
    for name in (
        "HUBSPOT__REQUESTS",
        "HUBSPOT__SEARCH_PER_SECOND",
        "SALESFORCE__DAILY_REQUESTS",
        "SHOPIFY__COST_CAPACITY",
        "SHOPIFY__COST_RESTORE_RATE",
        "MARKETO__REQUESTS",
        "MARKETO__CONCURRENCY",
        "MARKETO__DAILY_REQUESTS",
        "MAILCHIMP__CONCURRENCY",
    )
}


NOT_STORED = {"MGW_READ__MAX_STALENESS_SECONDS": "0"}
"""Both sides read the live way: with the store answering (the default), the cold side
served its emails from the store after their first read, and measured the store, not the
fan-out the cache saves (warm / cold 1.0x on 2026-12-07)."""


def measure(
    sim: str, cache: str, script: Path, addresses: list[str], args: argparse.Namespace
) -> dict[str, float]:
    port = free_port()
    env = {**UNLIMITED, "MGW_CACHE": cache, "MGW_CACHE_TTL_SECONDS": "3600", **NOT_STORED}
    command = ("serve", "--simulators", sim, "--port", str(port), "--log-level", "warning")
    with mgw(*command, env=env) as gateway:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", gateway)
        for email in addresses:  # warms the cache (and checks every answer is clean)
            body = httpx.post(
                f"{url}/graphql", json={"query": QUERY, "variables": {"e": email}}, timeout=30
            ).json()
            if body.get("errors"):
                raise SystemExit(f"{email}: {body['errors']}")
        wrk(url, script, 2, args.connections)  # warm up the process
        return wrk(url, script, args.seconds, args.connections)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--emails", type=int, default=200)
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    sim, process = simulators(args.people, "off")
    try:
        addresses = emails(sim, "hubspot", args.emails)
        with tempfile.TemporaryDirectory() as tmp:
            script = wrk_script(Path(tmp) / "customer.lua", addresses)
            cold = measure(sim, "off", script, addresses, args)
            warm = measure(sim, "memory", script, addresses, args)
    finally:
        process.terminate()
        process.wait(timeout=30)
    ratio = warm["rps"] / cold["rps"] if cold["rps"] else float("inf")
    results = {
        "emails": len(addresses),
        "connections": args.connections,
        "seconds": args.seconds,
        "cold_rps": round(cold["rps"], 1),
        "warm_rps": round(warm["rps"], 1),
        "warm_over_cold": round(ratio, 1),
        "cold_p50_ms": round(cold["p50_ms"], 1),
        "cold_p99_ms": round(cold["p99_ms"], 1),
        "warm_p50_ms": round(warm["p50_ms"], 1),
        "warm_p99_ms": round(warm["p99_ms"], 1),
        "non_2xx": cold["non_2xx"] + warm["non_2xx"],
        "targets": {"warm_over_cold": 10},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cache.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"cold (cache off)   {results['cold_rps']:>10} requests/s")
    print(f"warm (memory)      {results['warm_rps']:>10} requests/s")
    verdict = "ok" if ratio >= 10 and not results["non_2xx"] else "MISSED"
    print(f"warm / cold        {results['warm_over_cold']:>10}x   target >= 10x  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
