"""Section 1 of BENCHMARKS.md: ours and the peer, process for process — each side's numbers
at each process count, the ratios ours / peer, and every run in order."""

# ruff: noqa: E501  (Markdown tables are written one row a line)
from __future__ import annotations

from typing import Any

from bars import value
from sections import ran

SIDE_NAMES = {
    "peer_live": "peer, live (list)",
    "ours_live": "ours, live (list)",
    "peer_warm": "peer, response cache (list)",
    "ours_warm": "ours, response cache (list)",
    "ours_store": "ours, from the store (list)",
    "peer_live_email": "peer, live (by email)",
    "ours_store_email": "ours, from the store (by email)",
    "peer_warm_email": "peer, response cache (by email)",
}
RATIOS = (  # row, ours, peer
    ("live list", "ours_live", "peer_live"),
    ("warm list, both response caches", "ours_warm", "peer_warm"),
    ("list: ours from the store / peer live", "ours_store", "peer_live"),
    ("list: ours from the store / peer warm", "ours_store", "peer_warm"),
    ("by email: ours from the store / peer live", "ours_store_email", "peer_live_email"),
    ("by email: ours from the store / peer warm", "ours_store_email", "peer_warm_email"),
)
HEAD = "## 1. Ours and the peer, process for process\n"


def section(outcome: dict[str, Any] | None, limits: str) -> str:
    if not ran(outcome) or "groups" not in (outcome or {}):
        why = (outcome or {}).get(
            "error", "not run" if not outcome else "measured before equal process counts"
        )
        return HEAD + f"\nNot measured in this run: {why}.\n"
    if outcome is None:  # ran() said it ran
        raise RuntimeError("expected outcome is not None")
    lines = [HEAD, _intro(outcome)]
    for count, group in outcome["groups"].items():
        lines += ["", f"### {count} vs {count}", ""]
        if "error" in group:
            lines.append(f"Not measured in this run: {group['error'].splitlines()[0]}.")
            continue
        lines += _sides(group["sides"])
        if "peer_skipped" not in outcome:
            lines += ["", *_ratios(count, group["sides"])]
    if "peer_skipped" in outcome:
        lines += ["", f"The peer was skipped: {outcome['peer_skipped']}."]
    lines += ["", "Every run, in order:", "", *_runs(outcome["groups"]), "", limits]
    return "\n".join(lines) + "\n"


def _intro(outcome: dict[str, Any]) -> str:
    return (
        f"Ours (`mgw serve --workers N`) and the peer (Hive Gateway, `--fork N`) with the same "
        f"number of serving processes, over one HubSpot simulator (limits off, "
        f"{outcome['people']:,} people); wrk at {outcome['connections']} connections, "
        f"{outcome['rounds']} rounds of {outcome['seconds_per_run']} s per side, the sides in "
        "alternating order (flipped every round). **Live**: every request reads HubSpot (ours: "
        "caches off and `MGW_READ__MAX_STALENESS_SECONDS=0`; the peer: no cache). **Response "
        "cache**: ours `MGW_RESPONSE_CACHE_SECONDS=5`, the peer's `responseCaching` for 5 s "
        "(`PEER_CACHE=5`). **From the store**: ours after a full `mgw sync run` of HubSpot, at "
        "the default freshness. The list is `customers(first: 100)` with eight fields (the "
        f"peer's `listContacts`); by email is `customer(email:)` rotating over "
        f"{outcome.get('emails', 200)} addresses (the peer's `getContact` by email). CPU ms / "
        "request: user and system time of the serving process and every process it started "
        "(/proc/<pid>/stat) over the run, over the requests answered. Median (min-max)."
    )


def _cell(stat: dict[str, float], digits: int = 1) -> str:
    return f"{stat['median']:.{digits}f} ({stat['min']:.{digits}f}-{stat['max']:.{digits}f})"


def _sides(sides: dict[str, Any]) -> list[str]:
    lines = [
        "| side | processes (serving) | requests/s | p50 ms | p99 ms | CPU ms / request | peak RSS MB | errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for key, side in sides.items():
        errors = int(side["non_2xx"] + side["socket_errors"])
        lines.append(
            f"| {SIDE_NAMES.get(key, key)} | {side['processes']} ({side['workers']}) "
            f"| {_cell(side['rps'])} | {_cell(side['p50_ms'])} | {_cell(side['p99_ms'])} "
            f"| {_cell(side['cpu_ms_per_request'], 2)} | {side['rss_peak_mb']:.0f} | {errors} |"
        )
    return lines


def _ratios(count: str, sides: dict[str, Any]) -> list[str]:
    lines = [
        f"| ours / peer, {count} vs {count} | requests/s | p50 | p99 | CPU ms / request | peak RSS |",
        "|---|---|---|---|---|---|",
    ]
    for label, ours, peer in RATIOS:
        if ours not in sides or peer not in sides:
            continue
        cells = []
        for metric in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request", "rss_peak_mb"):
            theirs = value(sides[peer], metric)
            cells.append(f"{value(sides[ours], metric) / theirs:.2f}" if theirs else "—")
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def _runs(groups: dict[str, Any]) -> list[str]:
    lines = [
        "| processes | round | side | requests/s | p50 ms | p99 ms | CPU ms / request | load |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for count, group in groups.items():
        runs = sorted(
            ((r["round"], key, r) for key, s in group["sides"].items() for r in s["runs"]),
            key=lambda item: item[0],
        )
        for round_, key, r in runs:
            lines.append(
                f"| {count} | {round_} | {key} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
                f"{r['p99_ms']:.1f} | {r['cpu_ms_per_request']:.2f} | {r['load']:.1f} |"
            )
    return lines
