"""Scenario 1 of every run, kept in bench/results/runs/ (one JSON file a run, the newest
`KEEP`), and the table that puts the last three side by side: issue 22's bars must hold for
three consecutive `make bench` runs."""

# ruff: noqa: E501  (Markdown tables are written one row a line)
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bars import TARGETS

KEEP = 10
SHOWN = 3


def record(run: dict[str, Any], results_dir: Path) -> Path | None:
    """Keeps this run's scenario 1 (when it measured one) in `results_dir`/runs/."""
    outcome = run.get("scenarios", {}).get("list") or {}
    if "list" not in run.get("settings", {}).get("scenarios", ()) or "groups" not in outcome:
        return None
    machine = run.get("machine", {})
    kept = {
        "date": machine.get("date"),
        "commit": machine.get("commit"),
        "load_before": machine.get("load_before"),
        "load_after": machine.get("load_after"),
        "size": run.get("settings", {}).get("size"),
        "list": outcome,
    }
    folder = results_dir / "runs"
    folder.mkdir(exist_ok=True)
    stamp = str(kept["date"] or "unknown").replace(" UTC", "").replace(" ", "T").replace(":", "")
    path = folder / f"{stamp}-{kept['commit']}.json"
    path.write_text(json.dumps(kept, indent=1) + "\n")
    for old in sorted(folder.glob("*.json"))[:-KEEP]:
        old.unlink()
    return path


def recent(results_dir: Path, count: int = SHOWN) -> list[dict[str, Any]]:
    """The last `count` runs kept, oldest first."""
    found = []
    for path in sorted((results_dir / "runs").glob("*.json"))[-count:]:
        try:
            found.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return found


def section(results_dir: Path) -> str:
    runs = [r for r in recent(results_dir) if "peer_skipped" not in r["list"]]
    head = "### The last three runs\n"
    if not runs:
        return head + "\nNo run with the peer is kept in `bench/results/runs/` yet.\n"
    lines = [
        head,
        f"Scenario 1's bars in the last {_runs(len(runs))} kept in `bench/results/runs/` "
        "(ratio ours / peer; every bar must hold in three consecutive full runs).",
        "",
        "| bar | target | "
        + " | ".join(f"{r['date']} ({r['size']}, load {_load(r)})" for r in runs)
        + " | met in every one |",
        "|---|---|" + "---|" * len(runs) + "---|",
    ]
    counts = sorted({c for r in runs for c in r["list"]["groups"]}, key=int)
    for count in counts:
        for target in TARGETS:
            cells, verdicts = [], []
            for r in runs:
                group = r["list"]["groups"].get(count)
                ratio = target.ratio(group["sides"]) if group else None
                cells.append("—" if ratio is None else f"{ratio:.2f}")
                verdicts.append(ratio is not None and target.met(ratio))
            every = (
                "yes"
                if all(verdicts) and len(runs) >= SHOWN
                else "**no**"
                if not all(verdicts)
                else "—"
            )
            lines.append(
                f"| {target.label}, {count} vs {count} | {target.target} | {' | '.join(cells)} | {every} |"
            )
    return "\n".join(lines) + "\n"


def _load(run: dict[str, Any]) -> str:
    load = run.get("load_before") or ["?"]
    return f"{load[0]:.1f}" if isinstance(load[0], float | int) else "?"


def _runs(count: int) -> str:
    return "run" if count == 1 else f"{count} runs"
