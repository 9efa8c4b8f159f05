"""BENCHMARKS.md from one `bench/run.py` run: the machine, each scenario's numbers (median and
spread over the rounds), the ratios to the peer, and every bar of issue 11, met or not; a bar
not met says what limits it and what would move it.

    python bench/report.py [--results bench/results] [--out BENCHMARKS.md]

rewrites the file from the stored results without measuring anything again.

One module, though past 400 lines: most of it is the report's prose and tables, and it runs as
a script and is loaded by path (tests/bench/), so it imports nothing from beside it.
"""

# ruff: noqa: E501  (Markdown tables are written one row a line)
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
Row = tuple[str, str, str, bool | None, str]  # bar, target, measured, met (None: no data), note


def render(run: dict[str, Any], results_dir: Path) -> str:
    scenarios = run.get("scenarios", {})
    stored = {  # what the run kept of each script's JSON; else the file as it is now
        file: (scenarios.get(name) or {}).get("result") or _load(results_dir / f"{file}.json")
        for name, file, _, _ in _SECTIONS
    }
    parts = [
        _head(run),
        _bars(_all_bars(scenarios, stored)),
        _list_section(scenarios.get("list")),
        *(
            _script_section(head, scenarios.get(name), stored[file], f"{file}.json", body)
            for name, file, head, body in _SECTIONS
        ),
        HOT_PATH,
    ]
    return "\n".join(parts).rstrip() + "\n"


def _load(path: Path) -> dict[str, Any] | None:
    try:
        loaded: dict[str, Any] = json.loads(path.read_text())
        return loaded
    except (OSError, ValueError):
        return None


def _head(run: dict[str, Any]) -> str:
    m = run.get("machine", {})
    s = run.get("settings", {})
    packages = ", ".join(f"{k} {v}" for k, v in m.get("packages", {}).items())
    load_before = ", ".join(f"{x:.1f}" for x in m.get("load_before", ()))
    load_after = ", ".join(f"{x:.1f}" for x in m.get("load_after", ()))
    taken = sum(o.get("seconds_taken", 0) for o in run.get("scenarios", {}).values())
    return f"""# Benchmarks

Written by `make bench` (`bench/run.py`, then `bench/report.py`) on {m.get("date", "?")} at
commit `{m.get("commit", "?")}`; the scenarios took {taken:.0f} s in all ({s.get("size", "?")} size:
{s.get("rounds", "?")} rounds of {s.get("seconds", "?")} s per side in scenario 1). Rerun it with
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


# -- the bars -----------------------------------------------------------------------------------


def _all_bars(scenarios: dict[str, Any], stored: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    rows += _list_bars(scenarios.get("list"))
    cache = stored["cache"] if _ran(scenarios.get("customer")) else None
    if cache:
        ratio = cache.get("warm_over_cold", 0)
        rows.append(
            (
                "2. `customer(email:)` warm / cold requests/s (issue 6)",
                ">= 10x",
                f"{ratio}x",
                ratio >= 10,
                "",
            )
        )
    graph = stored["graph"] if _ran(scenarios.get("calls")) else None
    if graph:
        grew = _growth(graph)
        rows.append(
            (
                "3. upstream calls, N = 100 vs N = 10, platforms with a batch read",
                "same count (issue 5)",
                ", ".join(f"{k} +{v}" for k, v in grew.items()),
                all(v == 0 for v in grew.values()),
                "calls grow by a few, not with N (every platform but Mailchimp is read in "
                "batches); where the extra calls at N = 100 come from was not examined here",
            )
        )
    limits = stored["limits"] if _ran(scenarios.get("limits")) else None
    if limits:
        ok = (
            limits["max_requests_in_window"] <= 100
            and limits["hubspot_429s"] == 0
            and limits["hubspot_calls_per_10s"] >= 90
        )
        rows.append(
            (
                "4. three replicas: HubSpot calls per 10 s, 429s",
                "<= 100 in any window, >= 90 on average, no 429",
                f"max {limits['max_requests_in_window']}, mean "
                f"{limits['hubspot_calls_per_10s']}, {limits['hubspot_429s']} x 429",
                ok,
                "",
            )
        )
    sync = stored["sync"] if _ran(scenarios.get("sync")) else None
    if sync:
        ratio = sync["ratio_to_quota_minimum"]
        rows.append(
            (
                f"5. full sync of {sync['people']:,} contacts vs the quota's minimum",
                "<= 1.1x (issue 8)",
                f"{ratio}x ({sync['seconds']} s)",
                ratio <= 1.1,
                f"sync runs at the BULK share (75 %) of HubSpot's 100 / 10 s, leaving the "
                f"rest to interactive reads, so 1.33x is its floor; against that share it "
                f"is {sync['ratio_to_bulk_share_minimum']}x"
                + (
                    ""
                    if sync["ratio_to_bulk_share_minimum"] <= 1.1
                    else "; the rest is the sync process waiting for CPU on this loaded machine"
                )
                + " (section 5)",
            )
        )
        rss = sync["peak_rss_mb_of_largest_child"]
        rows.append(("5. sync peak RSS", "<= 300 MB", f"{rss} MB", rss <= 300, ""))
    realtime = stored["realtime"] if _ran(scenarios.get("realtime")) else None
    if realtime:
        p95 = realtime["p95_ms"]
        rows.append(
            (
                "6. webhook to subscriber on another replica, p95",
                "<= 1000 ms",
                f"{p95} ms",
                p95 <= 1000,
                "",
            )
        )
    attribution = stored["attribution"] if _ran(scenarios.get("attribution")) else None
    if attribution:
        again = attribution["restart"]
        met = again["seconds_to_attribution"] < 5 and again["shopify_calls"] < 10
        measured = f"{again['seconds_to_attribution']} s, {again['shopify_calls']} calls"
        bar = "7. campaigns with attribution after a restart (issue 18)"
        note = f"{attribution['orders']:,} orders stored"
        rows.append((bar, "< 5 s, < 10 Shopify calls", measured, met, note))
    segments = stored["segments"] if _ran(scenarios.get("segments")) else None
    if segments:
        worst = max(
            max(row["first_page"]["median_ms"], row["next_page"]["median_ms"])
            for row in segments["segments"].values()
        )
        bar = f"8. a filtered, sorted page over {segments['customers']:,} stored customers (SQLite)"
        note = "slowest segment's median, first or next page (section 8)"
        rows.append((bar, "< 50 ms", f"{worst} ms", worst < 50, note))
    store = stored["store"] if _ran(scenarios.get("store")) else None
    if store:
        rows += _store_bars(store)
    names = (
        "customer",
        "calls",
        "limits",
        "sync",
        "realtime",
        "attribution",
        "segments",
        "store",
    )
    for number, name in enumerate(names, 2):
        outcome = scenarios.get(name)
        if not _ran(outcome):
            why = (outcome or {}).get("error", "not run")
            rows.append((f"{number}. {name}", "", "", None, f"no result in this run: {why}"))
    return sorted(rows, key=lambda row: row[0].split(".")[0])  # by scenario, stable


def _ran(outcome: dict[str, Any] | None) -> bool:
    return bool(outcome) and "error" not in outcome  # type: ignore[operator]


def _growth(graph: dict[str, Any]) -> dict[str, int]:
    ten, hundred = graph["calls"]["10"], graph["calls"]["100"]
    return {k: hundred[k] - ten[k] for k in sorted(ten) if k != "mailchimp"}


def _list_bars(outcome: dict[str, Any] | None) -> list[Row]:
    if not _ran(outcome):
        why = (outcome or {}).get("error", "not run")
        return [("1. list vs the peer", "", "", None, f"no result in this run: {why}")]
    if outcome is None:  # _ran() said it ran
        raise RuntimeError("expected outcome is not None")
    sides = outcome["sides"]
    if "peer" not in sides:
        return [("1. list vs the peer", "", "", None, f"peer skipped: {outcome['peer_skipped']}")]
    peer, cold, warm = sides["peer"], sides["ours_off"], sides["ours_warm"]
    rps = cold["rps"]["median"] / peer["rps"]["median"]
    warm_rps = warm["rps"]["median"] / peer["rps"]["median"]
    p99 = cold["p99_ms"]["median"] / peer["p99_ms"]["median"]
    rss = cold["rss_peak_mb"] / peer["rss_peak_mb"]
    cpu = cold["cpu_ms_per_request"]["median"]
    peer_cpu = peer["cpu_ms_per_request"]["median"]
    cpu_note = (
        f"{'met with' if rps >= 1.0 else 'CPU-bound, with'} {cold['workers']} processes against "
        f"the peer's one; per request ours spends {cpu:.1f} ms of CPU, the peer {peer_cpu:.1f} "
        "ms: see 'What limits scenario 1'"
    )
    return [
        (
            "1. list, requests/s ours / peer, cache off",
            ">= 1.0",
            f"{rps:.2f}",
            rps >= 1.0,
            cpu_note,
        ),
        (
            "1. list, requests/s ours / peer, cache warm",
            ">= 5.0",
            f"{warm_rps:.2f}",
            warm_rps >= 5.0,
            ""
            if warm_rps >= 5.0
            else "a cached answer still goes through the HTTP server, the middleware and strawberry's "
            "request pipeline; see below",
        ),
        (
            "1. list, p99 ours / peer, cache off",
            "<= 1.0",
            f"{p99:.2f}",
            p99 <= 1.0,
            "the same two processes against one"
            if p99 <= 1.0
            else "queueing behind the CPU time above",
        ),
        (
            "1. list, peak RSS ours / peer",
            "<= 0.5",
            f"{rss:.2f} ({cold['rss_peak_mb']:.0f} / {peer['rss_peak_mb']:.0f} MB)",
            rss <= 0.5,
            f"ours: {cold['workers']} worker processes",
        ),
    ]


def _bars(rows: list[Row]) -> str:
    lines = [
        "## Every bar",
        "",
        "| bar | target | measured | met | note |",
        "|---|---|---|---|---|",
    ]
    for bar, target, measured, met, note in rows:
        verdict = "—" if met is None else "yes" if met else "**no**"
        lines.append(f"| {bar} | {target} | {measured} | {verdict} | {note} |")
    return "\n".join(lines) + "\n"


# -- the sections -------------------------------------------------------------------------------


def _cell(stat: dict[str, float], digits: int = 1) -> str:
    return f"{stat['median']:.{digits}f} ({stat['min']:.{digits}f}-{stat['max']:.{digits}f})"


def _list_section(outcome: dict[str, Any] | None) -> str:
    head = "## 1. HubSpot-only list: 100 contacts, 8 fields, ours and the peer\n"
    if not _ran(outcome):
        return head + f"\nNot measured in this run: {(outcome or {}).get('error', 'not run')}.\n"
    if outcome is None:  # _ran() said it ran
        raise RuntimeError("expected outcome is not None")
    sides = outcome["sides"]
    lines = [
        head,
        f"{outcome['connections']} connections, {outcome['rounds']} rounds of "
        f"{outcome['seconds_per_run']} s per side, the order of the sides flipped every round; "
        "every request reads HubSpot's page from the simulator (limits off). Median (min-max).",
        "",
        "| side | processes | requests/s | p50 ms | p99 ms | CPU ms / request | peak RSS MB "
        "| errors |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "peer": "peer (Hive Gateway)",
        "ours_off": "ours, cache off",
        "ours_warm": "ours, cache warm",
    }
    for key, side in sides.items():
        errors = int(side["non_2xx"] + side["socket_errors"])
        lines.append(
            f"| {names.get(key, key)} | {side['processes']} ({side['workers']} serving) "
            f"| {_cell(side['rps'])} | {_cell(side['p50_ms'])} | {_cell(side['p99_ms'])} "
            f"| {_cell(side['cpu_ms_per_request'], 2)} | {side['rss_peak_mb']:.0f} | {errors} |"
        )
    if "peer" in sides:
        peer = sides["peer"]
        lines += ["", "| ratio ours / peer | cache off | cache warm |", "|---|---|---|"]
        for label, key in (("requests/s", "rps"), ("p50", "p50_ms"), ("p99", "p99_ms")):
            cells = [
                f"{sides[s][key]['median'] / peer[key]['median']:.2f}"
                for s in ("ours_off", "ours_warm")
            ]
            lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
        rss = [
            f"{sides[s]['rss_peak_mb'] / peer['rss_peak_mb']:.2f}"
            for s in ("ours_off", "ours_warm")
        ]
        lines.append(f"| peak RSS | {rss[0]} | {rss[1]} |")
    else:
        lines += ["", f"The peer was skipped: {outcome['peer_skipped']}."]
    lines += [
        "",
        "Every run, in order:",
        "",
        "| round | side | requests/s | p50 ms | p99 ms | CPU ms / request | load |",
        "|---|---|---|---|---|---|---|",
    ]
    runs = sorted(
        ((r["round"], key, r) for key, s in sides.items() for r in s["runs"]),
        key=lambda item: item[0],
    )
    for round_, key, r in runs:
        lines.append(
            f"| {round_} | {key} | {r['rps']:.1f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {r['cpu_ms_per_request']:.2f} | {r['load']:.1f} |"
        )
    lines += ["", LIMITS_1]
    if "peer" in sides:
        lines += ["", _fairness(sides)]
    return "\n".join(lines) + "\n"


def _fairness(sides: dict[str, Any]) -> str:
    """What the requests/s ratio would be with one CPU each: the CPU time per request says it,
    whatever share of a loaded machine each side got."""
    peer, cold = sides["peer"], sides["ours_off"]
    ours_cpu = cold["cpu_ms_per_request"]["median"]
    peer_cpu = peer["cpu_ms_per_request"]["median"]
    return (
        f"**Read the cache-off ratio with this in mind.** Per request ours spends {ours_cpu:.1f} "
        f"ms of CPU and the peer {peer_cpu:.1f} ms ({ours_cpu / peer_cpu:.1f}x). Ours ran "
        f"{cold['workers']} worker processes and the peer one: on a machine this loaded "
        "(load average above), every runnable process gets a share of the two cores, so two "
        "processes get more CPU than one. On an idle machine the peer would have a core to "
        "itself, and ours two cores less what wrk and the simulator take: ours / peer would be "
        f"about {cold['workers']} x {peer_cpu:.1f} / {ours_cpu:.1f} = "
        f"{cold['workers'] * peer_cpu / ours_cpu:.2f} at best, and "
        f"{peer_cpu / ours_cpu:.2f} process for process. The bar is met in this run, not by a "
        "margin that would survive an idle machine."
        if cold["rps"]["median"] >= peer["rps"]["median"]
        else f"Per request ours spends {ours_cpu:.1f} ms of CPU and the peer {peer_cpu:.1f} ms "
        f"({ours_cpu / peer_cpu:.1f}x); ours ran {cold['workers']} worker processes, the peer "
        "one."
    )


def _from(outcome: dict[str, Any] | None, stored: dict[str, Any] | None, file: str) -> str | None:
    """Why a script's numbers cannot be shown as this run's, or None when they can."""
    if _ran(outcome) and stored is not None:
        return None
    why = (outcome or {}).get("error", "not run in this run")
    output = (outcome or {}).get("output", "")
    tail = f"\n\n```\n{output[-800:]}\n```" if output else ""
    return f"\nNo result from this run ({why}; `bench/results/{file}`).{tail}\n"


def _script_section(
    head: str,
    outcome: dict[str, Any] | None,
    stored: dict[str, Any] | None,
    file: str,
    body: Callable[[dict[str, Any]], str],
) -> str:
    """A section on one script's numbers: its body, or why this run has none to show."""
    missing = _from(outcome, stored, file)
    if missing or stored is None:
        return head + (missing or "")
    return head + body(stored)


def _customer_body(cache: dict[str, Any]) -> str:
    return f"""
`bench/cache.py`: all five simulated platforms (limits off), wrk at {cache["connections"]}
connections for {cache["seconds"]} s, rotating over {cache["emails"]} emails. Cold: cache off,
every request fans out to the five platforms. Warm: every email read once first.

| | requests/s | p50 ms | p99 ms |
|---|---|---|---|
| cold (cache off) | {cache["cold_rps"]} | {cache.get("cold_p50_ms", "?")} | {cache.get("cold_p99_ms", "?")} |
| warm (memory) | {cache["warm_rps"]} | {cache.get("warm_p50_ms", "?")} | {cache.get("warm_p99_ms", "?")} |

Warm serves {cache["warm_over_cold"]}x the requests/s of cold; {int(cache["non_2xx"])} error answers.
A cold request makes five upstream calls, all served by one simulator process (Python, like
the gateway): on a loaded machine both wait for CPU, and the cold numbers fall with the share
they get; the warm path touches neither the simulators nor the platforms' limits.
"""


def _calls_body(graph: dict[str, Any]) -> str:
    lines = [
        "",
        "`bench/graph.py`: `customers(first: N)` selecting company, deals, orders and "
        "engagement, counted at the simulators (token calls left out).",
        "",
        "| platform | N = 10 | N = 100 |",
        "|---|---|---|",
    ]
    for name in sorted(graph["calls"]["10"]):
        lines.append(f"| {name} | {graph['calls']['10'][name]} | {graph['calls']['100'][name]} |")
    lines += [
        "",
        "Mailchimp has no batch read of members: one call a customer (5 at a time). "
        f"`customer(email:)` with 20 ms added to every upstream call: p50 "
        f"{graph['customer_p50_ms_at_20ms_upstream']} ms (the platforms are asked at once).",
    ]
    return "\n".join(lines) + "\n"


def _limits_body(limits: dict[str, Any]) -> str:
    return f"""
`bench/limits.py`: {limits["replicas"]} `mgw serve --platforms hubspot` processes on one
Redis, cache off, driven past HubSpot's limit for {limits["seconds"]} s against the simulator's
real limits (100 calls / 10 s).

| gateway requests answered | HubSpot calls | per 10 s | most in any 10 s window | 429s |
|---|---|---|---|---|
| {limits["gateway_requests"]:.0f} | {limits["hubspot_calls"]} | {limits["hubspot_calls_per_10s"]} | {limits["max_requests_in_window"]} | {limits["hubspot_429s"]} |
"""


def _sync_body(sync: dict[str, Any]) -> str:
    return f"""
`bench/sync.py`: `mgw sync run --platform hubspot --full` over {sync["people"]:,} simulated
contacts with HubSpot's real limits.

| seconds | HubSpot calls | quota minimum | ratio | BULK-share minimum | ratio | peak RSS |
|---|---|---|---|---|---|---|
| {sync["seconds"]} | {sync["hubspot_calls"]} | {sync["quota_minimum_seconds"]} s | {sync["ratio_to_quota_minimum"]}x | {sync["bulk_share_minimum_seconds"]} s | {sync["ratio_to_bulk_share_minimum"]}x | {sync["peak_rss_mb_of_largest_child"]} MB |

Sync runs at the BULK priority, which may take 75 % of HubSpot's budget so that interactive
reads keep the rest; the full-quota minimum is therefore out of its reach by design (1.33x at
best). Moving it means letting a sync take the whole budget when nothing else asks for it.
"""


def _realtime_body(realtime: dict[str, Any]) -> str:
    return f"""
`bench/realtime.py`: a HubSpot change through the simulator, its webhook to one replica, the
`customerChanged` notice to a subscriber on another (shared Redis); {realtime["changes"]}
changes.

| p50 | p95 | max |
|---|---|---|
| {realtime["p50_ms"]} ms | {realtime["p95_ms"]} ms | {realtime["max_ms"]} ms |
"""


def _store_bars(store: dict[str, Any]) -> list[Row]:
    reads, hook, memory = store["reads"]["stored"], store["webhook"], store["rss"]
    people, clients = store["reads"]["people"], store["reads"]["clients"]
    return [
        (
            f"9. `customer(email:)` over {people:,} synced people, {clients} clients: "
            "rate-limit errors, upstream calls",
            "0, none beyond sync and webhooks",
            f"{reads['rate_limited']}, {reads['upstream_calls']}",
            reads["rate_limited"] == 0 and reads["upstream_calls"] == 0,
            "customer fields only: company, deals, orders and events are still read live",
        ),
        (
            "9. webhook change visible to a default-freshness read, p95",
            "<= 2000 ms",
            f"{hook['p95_ms']} ms",
            hook["p95_ms"] <= 2000,
            "",
        ),
        (
            f"9. `mgw serve` RSS with {memory['customers']:,} customers in the store",
            "<= 400 MB",
            f"{memory['peak_rss_mb']} MB (store {memory['store_mb']} MB)",
            memory["peak_rss_mb"] <= 400,
            "",
        ),
    ]


def _store_body(store: dict[str, Any]) -> str:
    reads, live = store["reads"]["stored"], store["reads"]["live"]
    hook, memory = store["webhook"], store["rss"]
    return f"""
`bench/store.py`: five simulated platforms at their real rate limits, a full `mgw sync run`
of {store["reads"]["people"]:,} people ({store["reads"]["sync_seconds"]} s), then each
person read once by `customer(email:)` from {store["reads"]["clients"]} clients at the default
freshness (from the store), and 200 of them again with `maxStaleness: 0` (live). The
scheduler is off: every upstream call during a run is the reads'.

| reads | requests/s | p50 | p95 | rate-limited | upstream calls |
|---|---|---|---|---|---|
| from the store | {reads["requests_per_second"]} | {reads["p50_ms"]} ms | {reads["p95_ms"]} ms | {reads["rate_limited"]} | {reads["upstream_calls"]} |
| live (`maxStaleness: 0`) | {live["requests_per_second"]} | {live["p50_ms"]} ms | {live["p95_ms"]} ms | {live["rate_limited"]} | {live["upstream_calls"]} |

A HubSpot change through the simulator, its webhook into the gateway (processed in process),
until a default-freshness read shows it, {hook["changes"]} changes: p50 {hook["p50_ms"]} ms,
p95 {hook["p95_ms"]} ms, max {hook["max_ms"]} ms.

{memory["customers"]:,} customers across the five platforms in a SQLite store of
{memory["store_mb"]} MB; `mgw serve` on it answering {memory["served"]["requests"]:,} of them
from the store ({memory["served"]["upstream_calls"]} upstream calls): RSS
{memory["rss_mb"]} MB, peak {memory["peak_rss_mb"]} MB.
"""


# Scenarios 2 to 7: (run key, results file, heading, body from that file's numbers).
def _attribution_body(attribution: dict[str, Any]) -> str:
    first, again = attribution["first_start"], attribution["restart"]
    return f"""
`bench/attribution.py`: the campaigns query (20 campaigns with `attributedOrders` and
`attributedRevenue`) on a gateway started over an empty store, then on one started again over
the same store; {attribution["people"]:,} simulated people, {attribution["orders"]:,} orders,
Shopify's real cost limit. Seconds from start to the first answer with every campaign's
attribution known; Shopify calls counted at the simulator (GraphQL calls and bulk result
downloads).

| start | seconds to attribution | Shopify calls | requests until known |
|---|---|---|---|
| first (empty store: one bulk export) | {first["seconds_to_attribution"]} | {first["shopify_calls"]} | {first["requests_until_known"]} |
| restart (same store) | {again["seconds_to_attribution"]} | {again["shopify_calls"]} | {again["requests_until_known"]} |
"""


def _segments_body(segments: dict[str, Any]) -> str:
    lines = [
        "",
        f"`bench/segments.py`: {segments['customers']:,} customers in a SQLite store "
        f"({segments['database_mb']} MB), each on one to five platforms; the store's own page "
        "(100 customers) and count queries for each segment, milliseconds.",
        "",
        "| segment | matches | first page p50 | p95 | next page p50 | p95 | count p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, row in segments["segments"].items():
        first, after = row["first_page"], row["next_page"]
        lines.append(
            f"| {name} | {row['total']:,} | {first['median_ms']} | {first['p95_ms']} | "
            f"{after['median_ms']} | {after['p95_ms']} | {row['count']['median_ms']} |"
        )
    lines += [
        "",
        "Each page is one or two index range reads (hub/customer_list.py); counts read every "
        "match, so a broad segment's exact `totalCount` costs more than its page.",
    ]
    return "\n".join(lines) + "\n"


# Scenarios 2 to 8: (run key, results file, heading, body from that file's numbers).
_SECTIONS: tuple[tuple[str, str, str, Callable[[dict[str, Any]], str]], ...] = (
    (
        "customer",
        "cache",
        "## 2. `customer(email:)` across five platforms, cache off and warm\n",
        _customer_body,
    ),
    ("calls", "graph", "## 3. Upstream calls per query\n", _calls_body),
    (
        "limits",
        "limits",
        "## 4. Rate-limit utilisation with three gateway replicas\n",
        _limits_body,
    ),
    ("sync", "sync", "## 5. Full sync against the quota-bound minimum\n", _sync_body),
    ("realtime", "realtime", "## 6. Webhook to subscriber\n", _realtime_body),
    ("attribution", "attribution", "## 7. Attribution after a restart\n", _attribution_body),
    ("segments", "segments", "## 8. Segments over the store\n", _segments_body),
    ("store", "store", "## 9. Reads from the store\n", _store_body),
)


LIMITS_1 = """### What limits scenario 1, and what would move it

Both sides read the same page from the same simulator; what differs is the CPU each spends
per request (the column above), and on two cores shared with wrk and the simulator the
gateway is CPU-bound. One py-spy profile of ours (one worker, cache off, load average about
3, after the changes below) splits a request's CPU into: HubSpot's page fetched through
httpx, about 21 %; merging the 100 records into canonical customers (pydantic models, plus
each record's source), about 16 %; parsing and mapping HubSpot's records (a pydantic model per
contact, then a canonical record), about 13 %; GraphQL execution of the selection, about 8 %;
the index-empty check in SQLite, the cursors and the read wrappers, about 8 %; and the rest,
about a third, in the HTTP server, the middleware (correlation ids, client auth, the edge's
checks) and strawberry's request pipeline. What would move it: building each canonical
customer straight from HubSpot's JSON in one step instead of three pydantic models (about
30 % of a request today), an upstream HTTP client cheaper per call than httpx, remembering
between syncs that the identity index is empty (a notice from sync instead of a query per
list), and fewer layers around a request.

Warm, ours answers a repeated list from the response cache (`MGW_RESPONSE_CACHE_SECONDS=5`
here: answers at most 5 s old, keyed by operation, variables and the caller's scopes; off by
default), so nothing is read or executed; what is left per request is the HTTP server, the
middleware (correlation ids, client auth, the edge's checks) and strawberry's request
pipeline around a cached result, and encoding 25 kB of JSON. Moving it further means
answering a cached operation before strawberry's pipeline (at the HTTP layer, with the same
auth and limits), and keeping the encoded bytes rather than the data.
"""

HOT_PATH = """## The hot path: what was profiled and changed

Profiled with py-spy under wrk (scenario 1, cache off). What it showed, and what changed:

| found | change |
|---|---|
| graphql-core executed every field the same way (path, `ResolveInfo`, resolver, completion) — about a third of a list request | `resolvers/execution.py`: fields read from an attribute (plain, or behind scope checks the caller passes) are completed directly, and so are whole subtrees of them (a page's edges and nodes); everything else takes the ordinary road, same errors and order (tests/resolvers/test_execution.py) |
| full garbage collections walked the schema, models and libraries while requests allocated thousands of short-lived objects | `gc.freeze()` once everything is built, and young collections every 20,000 allocations instead of 700 (`gateway/servers.py`) |
| every customer built its `sources` and `fieldSources` objects whether asked or not | built only when selected (`resolvers/customer.py`) |
| `httpcore` imported `sniffio` on every call and walked `sys.path` when it was missing | `sniffio` is a dependency |
| merged customers are validated again though every value came from a validated record | left as it is: pydantic's `model_construct` measured slower (8.6 µs a customer) than validating (6.5 µs) |
| a `json.dumps` per list cursor | the cursor's JSON prefix is made once per page (`hub/cursors.py`) |
| every email checked by a regex twice per record | `is_email` is cached |
| the standard library's JSON encoder for responses | orjson (`gateway/json_encoding.py`); uvicorn runs on uvloop and httptools |
| one process on two cores | `mgw serve --workers N` (N replicas on one port, sharing limits, cache and change events through Redis; the supervisor is a bare uvicorn) |
| a warm repeated read still read HubSpot's page, merged and executed it | an opt-in response cache (`MGW_RESPONSE_CACHE_SECONDS`, `hub/response_cache.py`) |
| a warm `customer(email:)` parsed the cached JSON into a model on every hit | parsed once per distinct entry (`hub/customer_cache.py`) |
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default=str(BENCH / "results"))
    parser.add_argument("--out", default=str(BENCH.parent / "BENCHMARKS.md"))
    args = parser.parse_args()
    results = Path(args.results)
    run = _load(results / "run.json")
    if run is None:
        raise SystemExit(f"no {results / 'run.json'}: run bench/run.py first")
    Path(args.out).write_text(render(run, results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
