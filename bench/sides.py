"""One side of a comparison: a gateway (ours or the peer) under wrk's load with one set of
request bodies — its runs, the CPU time its processes spend per request and their peak
resident memory (both from /proc, for the serving process and every process it started)."""

from __future__ import annotations

import json
import os
import statistics
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from processes import bodies_script, cpu_seconds, rss_mb, tree, wrk


class Side:
    def __init__(
        self,
        name: str,
        url: str,
        pid: int,
        bodies: list[dict[str, Any]],
        holds: Callable[[Any], bool],
        workers: int,
    ) -> None:
        self.name, self.url, self.pid, self.bodies, self.holds = name, url, pid, bodies, holds
        self.workers = workers  # serving processes
        self.script = Path()
        self.runs: list[dict[str, float]] = []
        self.rss_peak_mb = 0.0
        self.processes = 0

    def prepare(self, work: Path) -> None:
        """One request first (the answer must be the whole answer), then the wrk script."""
        answer = httpx.post(f"{self.url}/graphql", json=self.bodies[0], timeout=60).json()
        if answer.get("errors") or not self.holds(answer):
            raise RuntimeError(f"{self.name} answered {json.dumps(answer)[:300]}")
        self.script = bodies_script(work / f"{self.name}.lua", self.bodies)

    def measure(self, seconds: float, connections: int, round_: int) -> None:
        graphql = f"{self.url}/graphql"
        wrk(graphql, self.script, max(1, round(seconds / 5)), connections)  # warm up
        stop = threading.Event()
        sampler = threading.Thread(target=self._sample, args=(stop,))
        cpu_before = cpu_seconds(self.pid)
        sampler.start()
        try:
            result = wrk(graphql, self.script, seconds, connections)
        finally:
            stop.set()
            sampler.join()
        cpu = cpu_seconds(self.pid) - cpu_before
        result["cpu_ms_per_request"] = 1000 * cpu / result["requests"] if result["requests"] else 0
        result["round"] = round_
        result["load"] = os.getloadavg()[0]
        self.runs.append(result)

    def _sample(self, stop: threading.Event) -> None:
        while True:
            self.rss_peak_mb = max(self.rss_peak_mb, rss_mb(self.pid))
            self.processes = max(self.processes, len(tree(self.pid)))
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
