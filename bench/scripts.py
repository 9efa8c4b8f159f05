"""Scenarios 2 to 9: the scripts beside this one, each run as its own process with the sizes
of the run (`--quick`, `--smoke`), its JSON read back into the run; and the Redis the
multi-process scenarios share."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from processes import ROOT, free_port

BENCH = Path(__file__).resolve().parent
Runner = Callable[[argparse.Namespace, Path, Path, "str | None"], dict[str, Any]]


def script(name: str, arguments: list[str], timeout: float) -> Runner:
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


def script_runners(size: str) -> dict[str, Runner]:
    seconds = {"full": "10", "quick": "5", "smoke": "1"}[size]
    limits = {"full": "60", "quick": "20", "smoke": "3"}[size]
    people = {"full": "100000", "quick": "20000", "smoke": "500"}[size]
    changes = {"full": "200", "quick": "50", "smoke": "5"}[size]
    shop = {"full": "20000", "quick": "5000", "smoke": "300"}[size]
    stored = {"full": "100000", "quick": "20000", "smoke": "1000"}[size]
    store_sizes = {
        "full": ["--people", "1000", "--changes", "100", "--stored", "100000", "--pages", "40"],
        "quick": ["--people", "300", "--changes", "30", "--stored", "20000", "--pages", "20"],
        "smoke": ["--people", "30", "--changes", "3", "--stored", "300", "--pages", "3"],
    }
    return {
        "customer": script("cache", ["--seconds", seconds], 600),
        "calls": script("graph", [], 600),
        "limits": script("limits", ["--seconds", limits], 600),
        "sync": script("sync", ["--people", people, "--port", "{port}"], 900),
        "realtime": script("realtime", ["--changes", changes, "--redis", "{redis}"], 600),
        "attribution": script("attribution", ["--people", shop], 900),
        "segments": script("segments", ["--customers", stored], 900),
        "store": script("store", store_sizes[size], 1800),
    }


def redis(stack: ExitStack) -> str:
    """REDIS_URL, or a redis-server of this run's own, stopped with `stack`; SystemExit when
    none answers (the 2-process sides need one)."""
    if url := os.environ.get("REDIS_URL"):
        return url
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is needed (apt-get install -y redis-server) or REDIS_URL")
    for _ in range(3):  # another process may take the free port before redis-server binds it
        port = free_port()
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        stack.callback(process.wait, 10)
        stack.callback(process.terminate)
        ping = ["redis-cli", "-p", str(port), "ping"]
        for _ in range(100):
            if process.poll() is not None:
                break
            answered = subprocess.run(ping, capture_output=True, text=True, check=False)
            if answered.stdout.strip() == "PONG":
                return f"redis://127.0.0.1:{port}/0"
            time.sleep(0.1)
    raise SystemExit("redis-server did not start: set REDIS_URL")
