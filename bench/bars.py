"""The "Every bar" table of BENCHMARKS.md: each target of issues 11 and 22, the number that
judges it, met or not. Scenario 1's targets are data (`TARGETS`): a ratio of ours to the
peer at the same process count, one row per process count."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sections import ran

Row = tuple[str, str, str, bool | None, str]  # bar, target, measured, met (None: no data), note


@dataclass(frozen=True)
class Target:
    """A bar of scenario 1: `ours` / `peer` (two sides of one process count) on `metric`."""

    label: str
    ours: str
    peer: str
    metric: str  # rps, p99_ms, cpu_ms_per_request, rss_peak_mb
    most: bool  # True: the ratio must be at most `bound`; False: at least
    bound: float

    def ratio(self, sides: dict[str, Any]) -> float | None:
        if self.ours not in sides or self.peer not in sides:
            return None
        ours, peer = value(sides[self.ours], self.metric), value(sides[self.peer], self.metric)
        return ours / peer if peer else None

    def met(self, ratio: float) -> bool:
        compare: Callable[[float, float], bool] = operator.le if self.most else operator.ge
        return compare(round(ratio, 2), self.bound)

    @property
    def target(self) -> str:
        return f"{'<=' if self.most else '>='} {self.bound}"


TARGETS = (
    Target("live list, requests/s", "ours_live", "peer_live", "rps", False, 1.0),
    Target(
        "live list, CPU ms per request", "ours_live", "peer_live", "cpu_ms_per_request", True, 1.0
    ),
    Target("live list, p99", "ours_live", "peer_live", "p99_ms", True, 1.0),
    Target("live list, peak RSS", "ours_live", "peer_live", "rss_peak_mb", True, 0.5),
    Target("warm list (both caches), requests/s", "ours_warm", "peer_warm", "rps", False, 2.0),
    Target(
        "list from the store vs peer live, requests/s", "ours_store", "peer_live", "rps", False, 3.0
    ),
    Target("list from the store vs peer live, p99", "ours_store", "peer_live", "p99_ms", True, 0.5),
    Target(
        "`customer(email:)` from the store vs peer live, requests/s",
        "ours_store_email",
        "peer_live_email",
        "rps",
        False,
        3.0,
    ),
    Target(
        "`customer(email:)` from the store vs peer live, p99",
        "ours_store_email",
        "peer_live_email",
        "p99_ms",
        True,
        0.5,
    ),
)
"""Issue 22's targets, at every process count measured."""


def value(side: dict[str, Any], metric: str) -> float:
    found = side[metric]
    return float(found["median"] if isinstance(found, dict) else found)


def every_bar(scenarios: dict[str, Any], stored: dict[str, Any]) -> list[Row]:
    rows = comparison_bars(scenarios.get("list")) + script_bars(scenarios, stored)
    return sorted(rows, key=lambda row: int(row[0].split(".")[0]))  # by scenario, stable


def comparison_bars(outcome: dict[str, Any] | None) -> list[Row]:
    if not ran(outcome) or "groups" not in (outcome or {}):
        why = (outcome or {}).get(
            "error", "not run" if not outcome else "measured before equal process counts"
        )
        return [("1. ours and the peer", "", "", None, f"no result in this run: {why}")]
    if outcome is None:  # ran() said it ran
        raise RuntimeError("expected outcome is not None")
    if "peer_skipped" in outcome:
        return [("1. ours and the peer", "", "", None, f"peer skipped: {outcome['peer_skipped']}")]
    rows: list[Row] = []
    for count, group in outcome["groups"].items():
        for target in TARGETS:
            ratio = target.ratio(group["sides"])
            bar = f"1. {target.label}, ours / peer, {count} vs {count}"
            if ratio is None:
                why = group.get("error", "a side is missing").splitlines()[0]
                rows.append((bar, target.target, "", None, f"not measured: {why}"))
                continue
            ours = value(group["sides"][target.ours], target.metric)
            peer = value(group["sides"][target.peer], target.metric)
            met = target.met(ratio)
            note = "" if met else "see 'What limits scenario 1' (section 1)"
            rows.append((bar, target.target, f"{ratio:.2f} ({ours:.1f} / {peer:.1f})", met, note))
    return rows


def script_bars(scenarios: dict[str, Any], stored: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    cache = stored["cache"] if ran(scenarios.get("customer")) else None
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
    graph = stored["graph"] if ran(scenarios.get("calls")) else None
    if graph:
        grew = _growth(graph)
        rows.append(
            (
                "3. upstream calls, N = 100 vs N = 10, platforms with a batch read",
                "same count (issue 5)",
                ", ".join(f"{k} +{v}" for k, v in grew.items()),
                all(v == 0 for v in grew.values()),
                "calls grow by a few, not with N (every platform but Mailchimp is read in "
                "batches). By route and query (2026-12-07), the extra calls read what the first "
                "ten people do not have: HubSpot's is a deals batch read (none of the ten has "
                "a deal), Salesforce's an Account query, an Opportunity query and the "
                "Opportunity `describe` read once with the first deals; Shopify's come from "
                "its 50-a-query search (the query string's bound): 100 people take two "
                "lookups and two order reads",
            )
        )
    limits = stored["limits"] if ran(scenarios.get("limits")) else None
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
    sync = stored["sync"] if ran(scenarios.get("sync")) else None
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
    realtime = stored["realtime"] if ran(scenarios.get("realtime")) else None
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
    attribution = stored["attribution"] if ran(scenarios.get("attribution")) else None
    if attribution:
        again = attribution["restart"]
        met = again["seconds_to_attribution"] < 5 and again["shopify_calls"] < 10
        measured = f"{again['seconds_to_attribution']} s, {again['shopify_calls']} calls"
        bar = "7. campaigns with attribution after a restart (issue 18)"
        note = f"{attribution['orders']:,} orders stored"
        rows.append((bar, "< 5 s, < 10 Shopify calls", measured, met, note))
    segments = stored["segments"] if ran(scenarios.get("segments")) else None
    if segments:
        worst = max(
            max(row["first_page"]["median_ms"], row["next_page"]["median_ms"])
            for row in segments["segments"].values()
        )
        bar = f"8. a filtered, sorted page over {segments['customers']:,} stored customers (SQLite)"
        note = "slowest segment's median, first or next page (section 8)"
        rows.append((bar, "< 50 ms", f"{worst} ms", worst < 50, note))
    store = stored["store"] if ran(scenarios.get("store")) else None
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
        if not ran(outcome):
            why = (outcome or {}).get("error", "not run")
            rows.append((f"{number}. {name}", "", "", None, f"no result in this run: {why}"))
    return rows


def _growth(graph: dict[str, Any]) -> dict[str, int]:
    ten, hundred = graph["calls"]["10"], graph["calls"]["100"]
    return {k: hundred[k] - ten[k] for k in sorted(ten) if k != "mailchimp"}


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
            "the customer's own fields",
        ),
        *_entity_bars(store.get("entities")),
        *_page_bars(store["reads"].get("pages")),
        (
            "9. HubSpot or Shopify change by webhook visible to a default-freshness read, p95",
            "<= 2000 ms",
            f"{_slowest_hook(hook)} ms",
            _slowest_hook(hook) <= 2000,
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


def _entity_bars(entities: dict[str, Any] | None) -> list[Row]:
    if not entities:  # results from before the entities probe
        return []
    found, people, clients = entities["stored"], entities["people"], entities["clients"]
    return [
        (
            f"9. `customer(email:) {{ company deals orders events }}` over {people:,} synced "
            f"people, {clients} clients: rate-limit errors, upstream calls",
            "0, none beyond sync and webhooks",
            f"{found['rate_limited']}, {found['upstream_calls']}",
            found["rate_limited"] == 0 and found["upstream_calls"] == 0,
            "",
        )
    ]


def _page_bars(listed: dict[str, Any] | None) -> list[Row]:
    if not listed:  # results from before the page probe
        return []
    calls, ratio = listed["stored"]["upstream_calls_per_page"], listed["stored_over_live"]
    return [
        (
            "9. `customers(first: 100)` with company, orders and engagement on synced data: "
            "upstream calls per page; requests/s against `maxStaleness: 0`",
            "0; >= 10x",
            f"{calls}; {ratio}x",
            calls == 0 and ratio >= 10,
            "",
        )
    ]


def table(rows: list[Row]) -> str:
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


def _slowest_hook(hook: dict[str, Any]) -> float:
    """The p95 of the platform whose changes showed slowest (all of them, in older runs)."""
    spread = hook.get("by_platform") or {}
    return max((found["p95_ms"] for found in spread.values()), default=hook["p95_ms"])
