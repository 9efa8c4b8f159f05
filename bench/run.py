"""`make bench`: every benchmark of issues 11 and 22 in one run, and BENCHMARKS.md written
from it.

    python bench/run.py [--quick] [--rounds 3] [--seconds 10] [--processes 1,2] [--peer auto|off]
                        [--scenarios list,customer,calls,limits,sync,realtime,attribution,
                                     segments,store]

1. list — ours against the peer (Hive Gateway over the same simulator, ../shared/bench/peer/),
   process for process (1 vs 1, 2 vs 2), live, warm and from the store (bench/comparison.py).
2. customer — `customer(email:)` over five platforms, cache off and warm (bench/cache.py).
3. calls — upstream calls per query at N = 10 and N = 100 (bench/graph.py).
4. limits — three replicas on one Redis against HubSpot's real limits (bench/limits.py).
5. sync — a full sync of 100,000 contacts against the quota's minimum (bench/sync.py).
6. realtime — a platform change to a subscriber on another replica (bench/realtime.py).
7. attribution — campaigns with attribution after a restart (bench/attribution.py).
8. segments — filtered, sorted pages over 100,000 stored customers (bench/segments.py).
9. store — reads served from the store: synced people from 16 clients, a webhook's change
   on the next default read, RSS with 100,000 stored customers (bench/store.py).

Scenarios 2 to 9 run the scripts beside this one (bench/scripts.py). A scenario that fails is
reported as failed, with its output's tail, and the run goes on. Results land in
bench/results/ (`run.json` for the run, and a copy in `runs/`, so that the report can put the
last runs side by side), then bench/report.py writes BENCHMARKS.md. `--quick` is a smaller
run; the harness's smoke test (tests/bench/test_harness.py) runs `--smoke`, a tiny one.
`--scenarios list --merge` measures only the comparison again and keeps the other scenarios
of the last run (each is dated).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import history  # bench/ is not a package: see processes.py
import report
from comparison import comparison
from machine import machine
from scripts import redis, script_runners

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SCENARIOS = (
    "list",
    "customer",
    "calls",
    "limits",
    "sync",
    "realtime",
    "attribution",
    "segments",
    "store",
)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    results_dir = Path(args.results).resolve()
    results_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    run: dict[str, Any] = {"machine": machine(), "settings": vars(args), "scenarios": {}}
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk (make bench installs it)")
    runners = {"list": comparison, **script_runners(args.size)}
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="mgw-bench-") as tmp:
        work = Path(tmp)
        needs_redis = {"list", "realtime"} & set(args.scenarios)
        redis_url = redis(stack) if needs_redis else None
        for name in args.scenarios:
            print(f"== {name}", flush=True)
            begun = time.monotonic()
            try:
                outcome = runners[name](args, work, results_dir, redis_url)
            except Exception as exc:  # a failed scenario is reported, the run goes on
                where = traceback.format_exc(limit=-3)
                outcome = {"error": f"{type(exc).__name__}: {exc}", "output": where}
            outcome["seconds_taken"] = round(time.monotonic() - begun, 1)
            outcome["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            run["scenarios"][name] = outcome
            print(f"   {json.dumps(outcome)[:400]}", flush=True)
    run["seconds"] = round(time.monotonic() - started, 1)
    earlier = results_dir / "run.json"
    if args.merge and earlier.exists():  # keep the scenarios this run did not measure
        before = json.loads(earlier.read_text())
        run["scenarios"] = {**before.get("scenarios", {}), **run["scenarios"]}
        if "list" not in args.scenarios:  # the peer's version is the one the comparison ran
            run["machine"]["peer"] = before.get("machine", {}).get("peer", run["machine"]["peer"])
    run["machine"]["load_after"] = os.getloadavg()
    (results_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n")
    history.record(run, results_dir)
    text = report.render(run, results_dir)
    Path(args.out).write_text(text)
    print(f"wrote {args.out} after {run['seconds']} s")
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smaller run (a few minutes)")
    parser.add_argument("--smoke", action="store_true", help="a tiny run: the harness works")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--seconds", type=float, help="wrk duration per side and round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--processes",
        default="1,2",
        help="serving processes of each side in scenario 1 (ours --workers, the peer's --fork)",
    )
    parser.add_argument("--people", type=int, default=2000, help="simulated people (list)")
    parser.add_argument(
        "--peer",
        choices=("auto", "on", "off"),
        default="auto",
        help="auto: run the peer when node and npm are here",
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument(
        "--merge", action="store_true", help="keep the other scenarios of the last run.json"
    )
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)
    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    defaults = {"full": (3, 10.0), "quick": (2, 5.0), "smoke": (1, 1.0)}[size]
    args.size = size
    args.rounds = args.rounds or defaults[0]
    args.seconds = args.seconds or defaults[1]
    args.processes = [int(n) for n in str(args.processes).split(",") if n.strip()]
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    return args


if __name__ == "__main__":
    sys.exit(main())
