"""The head of BENCHMARKS.md: when and on what the run was measured (the machine, the versions,
the load before and after), and when each scenario was."""

# ruff: noqa: E501  (Markdown tables are written one row a line)
from __future__ import annotations

from typing import Any


def head(run: dict[str, Any]) -> str:
    m = run.get("machine", {})
    s = run.get("settings", {})
    packages = ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items())
    load_before = ", ".join(f"{x:.1f}" for x in m.get("load_before", ()))
    load_after = ", ".join(f"{x:.1f}" for x in m.get("load_after", ()))
    taken = sum(o.get("seconds_taken", 0) for o in run.get("scenarios", {}).values())
    return f"""# Benchmarks

Written by `make bench` (`bench/run.py`, then `bench/report.py`) on {m.get("date", "?")} at
commit `{m.get("commit", "?")}`; the scenarios took {taken:.0f} s in all ({s.get("size", "?")} size:
{s.get("rounds", "?")} rounds of {s.get("seconds", "?")} s per side in scenario 1, at {_counts(s)} processes a side). Rerun it with
`make bench` (`make bench ARGS=--quick` for a smaller run); the raw numbers are in
`bench/results/*.json`.

## Machine

| | |
|---|---|
| CPU | {m.get("cpu", "?")}, {m.get("cores", "?")} cores |
| memory | {m.get("memory_gb", "?")} GB |
| OS | {m.get("os", "?")} |
| Python | {m.get("python", "?")}: {packages} |
| peer | GraphQL Hive Gateway {m.get("peer", "?")} on Node {m.get("node", "?")} |
| load generator | {m.get("wrk", "?")}, one thread |
| load average (1, 5, 15 min) | before {load_before}; after {load_after} |

The machine is shared: other work ran beside the benchmark, so every number is a median over
rounds that alternate the two sides, with its spread (min to max) beside it.

{_when(run)}
"""


def _when(run: dict[str, Any]) -> str:
    """When each scenario was measured and how long it took (`--merge` keeps older ones)."""
    cells = [
        f"{name} {outcome.get('measured_at', '?')} ({outcome.get('seconds_taken', '?')} s)"
        for name, outcome in run.get("scenarios", {}).items()
    ]
    return "Measured: " + "; ".join(cells) + "." if cells else ""


def _counts(settings: dict[str, Any]) -> str:
    counts = settings.get("processes") or [settings.get("workers", "?")]
    return " and ".join(str(n) for n in counts)
