"""The living integration map: what flows between the platforms and the gateway, drawn from
the configuration itself (`mgw integrations map`), so it cannot drift from what runs."""

from __future__ import annotations

from canonical_schema import Platform
from connectors.registry import spec_of
from connectors.spec import Capability
from gateway.settings import Settings


def entities(platform: Platform) -> str:
    return spec_of(platform).entities


def auth_method(settings: Settings, platform: Platform) -> str:
    return spec_of(platform).auth_method(settings.platform_settings(platform))


def frequency(settings: Settings, platform: Platform) -> str:
    minutes = settings.sync.intervals.get(platform.value, settings.sync.interval_minutes)
    synced = "not scheduled" if minutes == 0 else f"sync every {minutes:g} min"
    pushed = ", webhooks in real time" if spec_of(platform).can(Capability.WEBHOOKS) else ""
    return f"live reads, {synced}{pushed}"


def markdown(settings: Settings) -> str:
    platforms = settings.connected_platforms()
    lines = [
        "| source | destination | entities | frequency | auth | owner |",
        "|---|---|---|---|---|---|",
    ]
    for platform in platforms:
        owner = settings.owners.get(platform.value, "unassigned")
        lines.append(
            f"| {platform.name} | gateway | {entities(platform)} | "
            f"{frequency(settings, platform)} | {auth_method(settings, platform)} | {owner} |"
        )
        lines.append(
            f"| gateway | {platform.name} | customers (write-back) | on `upsertCustomer`, "
            f"retried, dead-lettered | {auth_method(settings, platform)} | {owner} |"
        )
    for rule in settings.sync.propagate:
        for target in rule.targets:
            lines.append(
                f"| {rule.source.upper()} | {target.upper()} | {rule.field} (propagated) | "
                "when sync finds it changed | through the gateway | "
                f"{settings.owners.get(target, 'unassigned')} |"
            )
    return "\n".join(lines) + "\n\n" + mermaid(settings) + "\n"


def mermaid(settings: Settings) -> str:
    edges = ["```mermaid", "graph LR", "  gateway((Marketing Graph Gateway))"]
    for platform in settings.connected_platforms():
        name = platform.name
        edges.append(f'  {name}["{name}<br/>{entities(platform)}"]')
        edges.append(f'  {name} -- "{frequency(settings, platform)}" --> gateway')
        edges.append(f'  gateway -- "write-back" --> {name}')
    for rule in settings.sync.propagate:
        for target in rule.targets:
            edges.append(f'  {rule.source.upper()} -. "{rule.field}" .-> {target.upper()}')
    edges.append("```")
    return "\n".join(edges)
