"""The benchmark harness (`make bench`, bench/run.py) works end to end on a tiny scale: it
starts the simulators and our gateway live, warm and from a synced store (one process a
side), drives them with wrk, reads wrk's numbers and the scripts' JSON, keeps
the run in results/runs/ and writes a report. Correctness, not timings; and without the peer
(installing it takes minutes, starting it with `--fork 2` on a loaded machine nearly one): the
report's handling of its numbers is tested from numbers."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"


def _load_report() -> Any:
    """bench/ holds scripts, not a package: load report.py by path. (It appends bench/ to
    sys.path for its parts; ahead of the project, bench/cache.py would shadow `cache`.)"""
    spec = importlib.util.spec_from_file_location("bench_report", BENCH / "report.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


report = _load_report()


def test_a_tiny_run_measures_both_caches_and_writes_the_report(
    tmp_path: Path, redis_url: str
) -> None:
    if shutil.which("wrk") is None:
        missing_service("wrk", "apt-get install -y wrk")
    out = tmp_path / "BENCHMARKS.md"
    command = [
        sys.executable,
        str(BENCH / "run.py"),
        "--smoke",
        "--scenarios",
        "list,calls",
        "--connections",
        "2",
        "--processes",
        "1",  # two a side take twice as long to start; tests/gateway/test_serve_workers.py
        "--peer",
        "off",  # the peer's start alone takes minutes on a loaded machine: make bench runs it
        "--people",
        "200",
        "--results",
        str(tmp_path),
        "--out",
        str(out),
    ]
    env = {**os.environ, "REDIS_URL": redis_url}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = json.loads((tmp_path / "run.json").read_text())
    listed = run["scenarios"]["list"]
    assert "error" not in listed, listed
    sides = listed["groups"]["1"]["sides"]
    for name in ("ours_live", "ours_warm", "ours_store", "ours_store_email"):
        side = sides[name]
        (only,) = side["runs"]
        assert only["requests"] > 0
        assert only["rps"] > 0
        assert only["p50_ms"] > 0
        assert only["cpu_ms_per_request"] > 0
        assert side["non_2xx"] == 0
        assert side["workers"] == 1
        assert side["processes"] >= 1
        assert side["rss_peak_mb"] > 20
    assert listed["peer_skipped"] == "--peer off"
    assert "peer_live" not in sides
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1
    assert "error" not in run["scenarios"]["calls"], run["scenarios"]["calls"]
    calls = json.loads((tmp_path / "graph.json").read_text())["calls"]
    assert calls["100"]["hubspot"] >= 1
    text = out.read_text()
    assert "## 1. Ours and the peer, process for process" in text
    assert "### 1 vs 1" in text
    assert "| ours, live (list) | " in text
    assert "| ours, from the store (by email) | " in text
    assert "3. upstream calls, N = 100 vs N = 10" in text
    assert "| 4. limits |" in text
    assert "no result in this run: not run" in text


def _side(rps: float, p99: float, rss: float, workers: int = 1, cpu: float = 5.0) -> dict[str, Any]:
    run = {
        "round": 1,
        "rps": rps,
        "p50_ms": p99 / 2,
        "p99_ms": p99,
        "requests": rps * 10,
        "non_2xx": 0,
        "socket_errors": 0,
        "cpu_ms_per_request": cpu,
        "load": 1.0,
    }

    def stat(value: float) -> dict[str, float]:
        return {"median": value, "min": value, "max": value}

    return {
        "runs": [run],
        "rps": stat(rps),
        "p50_ms": stat(p99 / 2),
        "p99_ms": stat(p99),
        "cpu_ms_per_request": stat(cpu),
        "non_2xx": 0,
        "socket_errors": 0,
        "rss_peak_mb": rss,
        "processes": workers,
        "workers": workers,
    }


def _comparison(count: int) -> dict[str, Any]:
    sides = {
        "peer_live": _side(200, 100, 400, count, cpu=5.0),
        "ours_live": _side(100, 80, 150, count, cpu=10.0),
        "peer_warm": _side(2000, 20, 400, count),
        "ours_warm": _side(5000, 10, 150, count),
        "ours_store": _side(700, 40, 150, count),
        "peer_live_email": _side(300, 60, 400, count),
        "ours_store_email": _side(800, 40, 150, count),
        "peer_warm_email": _side(2000, 10, 400, count),
    }
    return {"sides": sides}


def test_the_report_judges_each_bar_from_the_numbers(tmp_path: Path) -> None:
    list_outcome = {
        "connections": 16,
        "seconds_per_run": 10,
        "rounds": 1,
        "people": 2000,
        "emails": 200,
        "processes": [1, 2],
        "groups": {"1": _comparison(1), "2": _comparison(2)},
    }
    (tmp_path / "realtime.json").write_text(
        json.dumps({"changes": 200, "p50_ms": 50.0, "p95_ms": 1500.0, "max_ms": 2000.0})
    )
    run = {
        "machine": {"cpu": "test cpu", "cores": 2, "date": "2026-12-07 05:00 UTC"},
        "settings": {"size": "full", "rounds": 1, "seconds": 10, "scenarios": ["list"]},
        "scenarios": {
            "list": list_outcome,
            "realtime": {"script": "bench/realtime.py"},
            "sync": {"error": "sync.py exited with 1", "output": "boom"},
        },
    }
    for _ in range(3):
        report.history.record(run, tmp_path)  # one file a run: the same date overwrites
    text = report.render(run, tmp_path)
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| 1.")}
    live = "| 1. live list, requests/s, ours / peer, 1 vs 1"
    assert "| 0.50 (100.0 / 200.0) | **no** |" in rows[live]
    cpu = "| 1. live list, CPU ms per request, ours / peer, 2 vs 2"
    assert "| 2.00 (10.0 / 5.0) | **no** |" in rows[cpu]
    assert "| 0.80 " in rows["| 1. live list, p99, ours / peer, 1 vs 1"]
    assert "| 0.38 (150.0 / 400.0) | yes |" in rows["| 1. live list, peak RSS, ours / peer, 2 vs 2"]
    assert "| 2.50 " in rows["| 1. warm list (both caches), requests/s, ours / peer, 1 vs 1"]
    store = "| 1. list from the store vs peer live, requests/s, ours / peer, 2 vs 2"
    assert "| 3.50 (700.0 / 200.0) | yes |" in rows[store]
    email = "| 1. `customer(email:)` from the store vs peer live, p99, ours / peer, 1 vs 1"
    assert "| 0.67 (40.0 / 60.0) | **no** |" in rows[email]
    assert "| 1500.0 ms | **no** |" in text  # realtime's p95 over 1000 ms
    assert "no result in this run: sync.py exited with 1" in text
    assert "| 3 (2) |" not in text
    assert "| 2 (2) |" in text  # how many processes each side used, and how many serve
    assert "### The last three runs" in text
    assert "| live list, requests/s, 1 vs 1 | >= 1.0 | 0.50 | **no** |" in text
