"""Helpers the gateway benchmarks share: start `mgw` processes, wait for them, drive wrk, and
read what a process and everything it started spends (CPU time, resident memory) from /proc.

Imports nothing of the project's, so a script in bench/ named like a package (cache.py) can
still run: the processes it starts import the project from the repository root.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from gateway.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
QUERY = "query ($e: String!) { customer(email: $e) { email displayName lifecycleStage leadScore } }"


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout}s")


@contextmanager
def mgw(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m gateway ARGS…` from the repository root, stopped on exit. In the open `demo`
    profile unless `env` says MGW_PROFILE=serve (to measure client auth and the edge's limits)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MGW_")}
    clean["MGW_PROFILE"] = "demo"
    with tempfile.TemporaryDirectory() as workdir:
        database = f"sqlite+aiosqlite:///{workdir}/mgw.db"
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", *args],
            cwd=ROOT,
            env={**clean, "MGW_DATABASE_URL": database, **(env or {})},
            stdout=subprocess.DEVNULL,
        )
        try:
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Terminates `process`; kills it when it has not ended within `seconds` (a supervisor
    whose workers are still starting on a loaded machine may not)."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=seconds)


def simulators(
    people: int, rate_limits: str, webhook_url: str | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    command: tuple[str, ...] = ("simulate", "--port", str(port), "--people", str(people))
    if webhook_url:
        command += ("--webhook-url", webhook_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway", *command, "--rate-limits", rate_limits],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/_sim/credentials", process)
    return url, process


def emails(sim: str, platform: str, count: int) -> list[str]:
    people = httpx.get(f"{sim}/_sim/people", params={"limit": 10_000}).json()["people"]
    return [p["email"] for p in people if platform in p["external_ids"]][:count]


# wrk's `done` hook prints what the text summary rounds away: exact percentiles, and errors.
DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {\\"p50_us\\": %d, \\"p99_us\\": %d, \\"requests\\": %d, \\"socket_errors\\": %d}\\n",
    latency:percentile(50), latency:percentile(99), summary.requests,
    e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_script(path: Path, addresses: Sequence[str]) -> Path:
    """A wrk script POSTing `customer(email:)` for each address in turn."""
    return bodies_script(path, [{"query": QUERY, "variables": {"e": e}} for e in addresses])


def bodies_script(path: Path, bodies: Sequence[object]) -> Path:
    """A wrk script POSTing each JSON body to /graphql in turn (one body: always that one)."""
    texts = [json.dumps(body) for body in bodies]
    lua = "\n".join(
        [
            "local bodies = {" + ",".join(json.dumps(b) for b in texts) + "}",
            "local i = math.random(#bodies)",
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            "request = function()",
            "  i = i % #bodies + 1",
            '  return wrk.format(nil, "/graphql", nil, bodies[i])',
            "end",
        ]
    )
    path.write_text(lua + "\n" + DONE)
    return path


def wrk(url: str, script: Path, seconds: float, connections: int) -> dict[str, float]:
    """Requests/s, exact p50/p99 (ms), requests, non-2xx answers and socket errors."""
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "15s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    done = re.search(r"WRK-JSON (\{.*\})", out)
    extra = json.loads(done.group(1)) if done else {}
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": float(total.group(1)) if total else 0.0,
        "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
        "p50_ms": extra.get("p50_us", 0) / 1000,
        "p99_ms": extra.get("p99_us", 0) / 1000,
        "socket_errors": float(extra.get("socket_errors", 0)),
    }


def tree(pid: int) -> list[int]:
    """`pid` and every process it started, however deep."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and every process it started, in MB (0 when gone)."""
    total = 0
    for each in tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) `pid` and the processes it started have spent, from
    /proc/<pid>/stat: their own, and that of their children already waited for."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in tree(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks
