"""The soak's report: `soak/results/last.json`, and the same figures as Markdown in the
"Soak" section of RELIABILITY.md (between its `soak:start` and `soak:end` markers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

START, END = "<!-- soak:start -->", "<!-- soak:end -->"


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n")


def markdown(report: dict[str, Any]) -> str:
    totals, writes, hooks = report["totals"], report["writes"], report["webhooks"]
    lines = [
        f"Last run: {report['started_at']}, {report['duration_seconds']:.0f} s of traffic, "
        f"command `{report['command']}`.",
        "",
        f"Two `mgw serve`, two `mgw worker`, Redis {report['redis']}, PostgreSQL (a fresh "
        f"database), simulators with {report['people']} people and "
        f"{report['fault_rate']:.0%} of platform calls faulted (5xx or 429, hangs past the 2 s "
        f"timeout, malformed JSON, answers cut off mid-body). {report['concurrency']} clients.",
        "",
        "Disturbances: "
        + "; ".join(f"{e['at']:.0f} s {e['what']}" for e in report["events"])
        + ".",
        "",
        "Crashes (a process that exited by itself; the soak's supervisor started it again, as "
        "systemd or Kubernetes would): "
        + ("; ".join(f"{c['at']:.0f} s {c['what']}" for c in report["crashes"]) or "none")
        + ".",
        "",
        "| operation | served | ok | p50 ms | p99 ms | outcomes |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind, row in report["requests"].items():
        outcomes = ", ".join(f"{code} {n}" for code, n in row["outcomes"].items() if code != "ok")
        lines.append(
            f"| {kind} | {row['count']} | {row['ok_rate']:.1%} | {row['p50_ms']:.0f} | "
            f"{row['p99_ms']:.0f} | {outcomes or '—'} |"
        )
    rates = ", ".join(f"{code} {rate:.2%}" for code, rate in totals["error_rate_by_code"].items())
    lines += [
        "",
        f"Requests served: {totals['served']} ({totals['per_second']:.1f}/s), p99 "
        f"{totals['p99_ms']:.0f} ms; answered without any error: {totals['ok_rate']:.1%}. "
        f"Error rate by code (share of requests carrying it): {rates or 'none'}. "
        f"Connections refused by the restarting gateway and sent to the other: "
        f"{report['failovers']}.",
        "",
        f"Webhooks: {hooks['sent']} sent by the platforms, {hooks['delivered']} delivered "
        f"({hooks['retried']} needed a retry), {hooks['undelivered']} undelivered.",
        "",
        f"Writes: {writes['accepted']} upserts accepted = {writes['targets']} platform writes; "
        f"{writes['applied']} applied, {writes['dead_lettered']} dead-lettered, "
        f"{writes['unfinished']} unfinished, **{writes['duplicated']} duplicated**. "
        f"Faults off, `mgw dlq replay --all`: {report['replay']['summary']}; open dead letters "
        f"after: **{report['replay']['open_after']}**; writes duplicated after: "
        f"**{report['replay']['duplicated_after']}**, every platform holding every upsert: "
        f"**{report['replay']['all_applied']}**.",
    ]
    if "targets" in report:
        found = report["targets"]
        lines += [
            "",
            "Targets (issue 23): reads and lists during the Redis restart (from its stop to "
            f"10 s after it answered again): {found['reads_during_redis_restart']}, "
            f"`INTERNAL_SERVER_ERROR` **{found['internal_errors_during_redis_restart']}**, "
            f"without an answer **{found['unanswered_reads_during_redis_restart']}** "
            f"(`INTERNAL_SERVER_ERROR` over the whole run: {found['internal_errors_in_all']}); "
            f"processes that exited by themselves: **{found['process_exits']}**; "
            f"dead-lettered: **{found['dead_lettered_share']:.2%}** of platform writes "
            "(target ≤ 1 %); all met: "
            f"**{all(found['met'].values())}**"
            + (
                f" (missed: {', '.join(k for k, v in found['met'].items() if not v)})"
                if not all(found["met"].values())
                else ""
            )
            + ".",
        ]
    return "\n".join(lines)


def update_reliability(report: dict[str, Any], path: Path) -> None:
    """Replace the text between the markers; add the section if the file has none."""
    text = path.read_text() if path.exists() else "# Reliability\n"
    block = f"{START}\n{markdown(report)}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n## Soak\n\n{block}\n"
    path.write_text(text)
