"""`make bench`: every benchmark of issue 11 in one run, and BENCHMARKS.md written from it.

    python bench/run.py [--quick] [--rounds 3] [--seconds 10] [--workers 2] [--peer auto|off]
                        [--scenarios list,customer,calls,limits,sync,realtime,attribution,
                                     segments,store]

1. list — HubSpot-only `customers(first: 100)`, 8 fields against the peer (Hive Gateway over
   the same simulator, ../shared/bench/peer/): each side driven by wrk at the same concurrency,
   alternating sides round by round (the order flips every round), with each side's peak RSS
   and CPU time per request. Ours runs cache off, and warm: the entity cache plus answers kept
   for RESPONSE_CACHE_SECONDS (MGW_RESPONSE_CACHE_SECONDS).
2. customer — `customer(email:)` over five platforms, cache off and warm (bench/cache.py).
3. calls — upstream calls per query at N = 10 and N = 100 (bench/graph.py).
4. limits — three replicas on one Redis against HubSpot's real limits (bench/limits.py).
5. sync — a full sync of 100,000 contacts against the quota's minimum (bench/sync.py).
6. realtime — a platform change to a subscriber on another replica (bench/realtime.py).
9. store — reads served from the store: synced people from 16 clients, a webhook's change
   on the next default read, RSS with 100,000 stored customers (bench/store.py).

Scenarios 2 to 9 run the scripts beside this one and read the JSON they write. A scenario that
fails is reported as failed, with its output's tail, and the run goes on. Results land in
bench/results/ (`run.json` for scenario 1 and the machine), then bench/report.py writes
BENCHMARKS.md. `--quick` is a smaller run (a few minutes); the harness's smoke test
(tests/bench/test_harness.py) runs `--smoke`, a tiny one. `--scenarios list --merge`
measures only the list again and keeps the other scenarios of the last run (each is dated).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peer as peer_side  # bench/ is not a package: see processes.py
import report
from machine import machine
from processes import bodies_script, free_port, mgw, simulators, wait_for, wrk

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
OURS_QUERY = (
    "{ customers(first: 100) { edges { node { id email firstName lastName phone "
    "lifecycleStage leadScore updatedAt } } } }"
)
UNLIMITED = {  # the gateway's own HubSpot limits out of the way: the simulators have none here
    "MGW_LIMITS__HUBSPOT__REQUESTS": "1000000000",
    "MGW_LIMITS__HUBSPOT__SEARCH_PER_SECOND": "1000000000",
}
RESPONSE_CACHE_SECONDS = 5  # the warm side's MGW_RESPONSE_CACHE_SECONDS (hub/response_cache.py)
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
    runners = _runners(args.size)
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="mgw-bench-") as tmp:
        work = Path(tmp)
        redis_url = _redis(stack) if {"list", "realtime"} & set(args.scenarios) else None
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
        kept = json.loads(earlier.read_text()).get("scenarios", {})
        run["scenarios"] = {**kept, **run["scenarios"]}
    run["machine"]["load_after"] = os.getloadavg()
    (results_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n")
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
    parser.add_argument("--workers", type=int, default=2, help="our worker processes (list)")
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
    args.scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}; known: {', '.join(SCENARIOS)}")
    return args


# -- scenario 1: the list against the peer -----------------------------------------------------


def list_scenario(
    args: argparse.Namespace, work: Path, results_dir: Path, redis_url: str | None
) -> dict[str, Any]:
    sim, sim_process = simulators(args.people, "off")
    sides: dict[str, Side] = {}
    try:
        token = httpx.get(f"{sim}/_sim/credentials").json()["hubspot"]["private_app_token"]
        with ExitStack() as stack:
            why_not = _peer_unavailable(args)
            if why_not is None:
                port = free_port()
                running = stack.enter_context(peer_side.peer(f"{sim}/hubspot", token, port))
                body = {"query": peer_side.query()}
                sides["peer"] = Side("peer", running.url, running.pid, body, _peer_count, 1)
            for cache in ("off", "warm"):
                url, pid = stack.enter_context(_ours(sim, cache, args.workers, redis_url))
                body = {"query": OURS_QUERY}
                sides[f"ours_{cache}"] = Side(
                    f"ours_{cache}", url, pid, body, _our_count, args.workers
                )
            for side in sides.values():
                side.check()
                side.script = bodies_script(work / f"{side.name}.lua", [side.body])
            for round_ in range(args.rounds):
                order = list(sides.values())
                for side in order if round_ % 2 == 0 else reversed(order):
                    side.measure(args, round_ + 1)
    finally:
        sim_process.terminate()
        sim_process.wait(timeout=30)
    outcome: dict[str, Any] = {
        "connections": args.connections,
        "seconds_per_run": args.seconds,
        "rounds": args.rounds,
        "people": args.people,
        "sides": {name: side.summary() for name, side in sides.items()},
    }
    if "peer" not in sides:
        outcome["peer_skipped"] = why_not
    return outcome


class Side:
    """One gateway under load: its runs, its peak memory, its CPU time per request."""

    def __init__(
        self,
        name: str,
        url: str,
        pid: int,
        body: dict[str, Any],
        count: Callable[[Any], int],
        processes: int,
    ) -> None:
        self.name, self.url, self.pid, self.body, self.count = name, url, pid, body, count
        self.workers = processes
        self.script = Path()
        self.runs: list[dict[str, float]] = []
        self.rss_peak_mb = 0.0
        self.processes = 0

    def check(self) -> None:
        """One request first: the answer holds 100 records and no errors."""
        answer = httpx.post(f"{self.url}/graphql", json=self.body, timeout=60).json()
        if answer.get("errors") or self.count(answer) != 100:
            raise RuntimeError(f"{self.name} answered {json.dumps(answer)[:300]}")

    def measure(self, args: argparse.Namespace, round_: int) -> None:
        graphql = f"{self.url}/graphql"
        wrk(graphql, self.script, max(1, round(args.seconds / 5)), args.connections)  # warm
        stop = threading.Event()
        sampler = threading.Thread(target=self._sample, args=(stop,))
        cpu_before = _cpu_seconds(self.pid)
        sampler.start()
        try:
            result = wrk(graphql, self.script, args.seconds, args.connections)
        finally:
            stop.set()
            sampler.join()
        cpu = _cpu_seconds(self.pid) - cpu_before
        result["cpu_ms_per_request"] = 1000 * cpu / result["requests"] if result["requests"] else 0
        result["round"] = round_
        result["load"] = os.getloadavg()[0]
        self.runs.append(result)

    def _sample(self, stop: threading.Event) -> None:
        while True:
            self.rss_peak_mb = max(self.rss_peak_mb, peer_side.rss_mb(self.pid))
            self.processes = max(self.processes, len(peer_side.tree(self.pid)))
            if stop.wait(0.25):
                return

    def summary(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "rps": spread([r["rps"] for r in self.runs]),
            "p50_ms": spread([r["p50_ms"] for r in self.runs]),
            "p99_ms": spread([r["p99_ms"] for r in self.runs]),
            "cpu_ms_per_request": spread([r["cpu_ms_per_request"] for r in self.runs]),
            "non_2xx": sum(r["non_2xx"] for r in self.runs),
            "socket_errors": sum(r["socket_errors"] for r in self.runs),
            "rss_peak_mb": round(self.rss_peak_mb, 1),
            "processes": self.processes,
            "workers": self.workers,
        }


def spread(values: list[float]) -> dict[str, float]:
    """Median, min and max of a few rounds (noisy machines: the spread is part of the result)."""
    if not values:
        return {"median": 0.0, "min": 0.0, "max": 0.0}
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def _peer_count(answer: Any) -> int:
    return len(answer["data"]["listContacts"]["results"])


def _our_count(answer: Any) -> int:
    return len(answer["data"]["customers"]["edges"])


def _peer_unavailable(args: argparse.Namespace) -> str | None:
    if args.peer == "off":
        return "--peer off"
    why = peer_side.missing()
    if why and args.peer == "on":
        raise RuntimeError(f"the peer cannot run: {why}")
    if why is None and args.smoke and not peer_side.installed():
        return "smoke run: the peer is not installed yet (make bench installs it)"
    return why


@contextmanager
def _ours(sim: str, cache: str, workers: int, redis_url: str | None) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**UNLIMITED, "MGW_CACHE": "off" if cache == "off" else "memory"}
    if cache != "off":  # warm: the entity cache and whole answers kept for a few seconds
        env["MGW_RESPONSE_CACHE_SECONDS"] = str(RESPONSE_CACHE_SECONDS)
    if workers > 1:
        if redis_url is None:
            raise RuntimeError("several workers need Redis: expected redis_url")
        env["MGW_REDIS_URL"] = redis_url
        env["MGW_DATA_SCOPE"] = f"bench-{port}"
        if cache != "off":
            env["MGW_CACHE"] = "redis"  # what the workers share
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
        "--workers",
        str(workers),
    )
    with mgw(*command, env=env) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", process)
        yield url, process.pid


def _cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in peer_side.tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


# -- scenarios 2 to 6: the scripts beside this one ----------------------------------------------


def script(name: str, arguments: list[str], timeout: float) -> Callable[..., dict[str, Any]]:
    def run(
        args: argparse.Namespace, work: Path, results: Path, redis_url: str | None
    ) -> dict[str, Any]:
        extra = [a.replace("{redis}", redis_url or "") for a in arguments]
        extra = [a.replace("{port}", str(free_port())) for a in extra]
        env = {**os.environ, "MGW_BENCH_RESULTS": str(results)}
        done = subprocess.run(
            [sys.executable, str(BENCH / f"{name}.py"), *extra],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip()[-1500:]
            return {"error": f"{name}.py exited with {done.returncode}", "output": tail}
        outcome: dict[str, Any] = {
            "script": f"bench/{name}.py {' '.join(extra)}",
            "output": done.stdout[-1500:],
        }
        written = results / f"{name}.json"
        if written.exists():  # this run's numbers, kept with the run (others may rerun a script)
            outcome["result"] = json.loads(written.read_text())
        return outcome

    return run


def _runners(size: str) -> dict[str, Callable[..., dict[str, Any]]]:
    seconds = {"full": "10", "quick": "5", "smoke": "1"}[size]
    limits = {"full": "60", "quick": "20", "smoke": "3"}[size]
    people = {"full": "100000", "quick": "20000", "smoke": "500"}[size]
    changes = {"full": "200", "quick": "50", "smoke": "5"}[size]
    shop = {"full": "20000", "quick": "5000", "smoke": "300"}[size]
    stored = {"full": "100000", "quick": "20000", "smoke": "1000"}[size]
    store_sizes = {
        "full": ["--people", "1000", "--changes", "100", "--stored", "100000"],
        "quick": ["--people", "300", "--changes", "30", "--stored", "20000"],
        "smoke": ["--people", "30", "--changes", "3", "--stored", "300"],
    }
    return {
        "list": list_scenario,
        "customer": script("cache", ["--seconds", seconds], 600),
        "calls": script("graph", [], 600),
        "limits": script("limits", ["--seconds", limits], 600),
        "sync": script("sync", ["--people", people, "--port", "{port}"], 900),
        "realtime": script("realtime", ["--changes", changes, "--redis", "{redis}"], 600),
        "attribution": script("attribution", ["--people", shop], 900),
        "segments": script("segments", ["--customers", stored], 900),
        "store": script("store", store_sizes[size], 1800),
    }


def _redis(stack: ExitStack) -> str:
    if url := os.environ.get("REDIS_URL"):
        return url
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (apt-get install -y redis-server) or REDIS_URL")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    stack.callback(process.wait, 10)
    stack.callback(process.terminate)
    for _ in range(50):
        try:
            with httpx.Client() as _unused:
                pass
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(port), "ping"],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout.strip()
                == "PONG"
            ):
                break
        except OSError:
            pass
        time.sleep(0.1)
    return f"redis://127.0.0.1:{port}/0"


if __name__ == "__main__":
    sys.exit(main())
