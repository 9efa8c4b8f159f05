"""`mgw sync`: sync platforms into the identity index now, and show recent sync runs."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from canonical_schema import Platform
from connectors.registry import platforms
from gateway.cli_common import console, errors
from gateway.services import open_services
from gateway.settings import ConfigError, Settings
from gateway.settings_checks import explain
from sync_jobs.sync_runs import SUCCEEDED, SyncRunRecord

sync_app = typer.Typer(
    help="Sync platforms into the identity index (what `customers` pages over).",
    no_args_is_help=True,
)


def _settings(platforms: str, simulators: str | None) -> Settings:
    from gateway.cli_dlq import cli_settings
    from gateway.connectors import vault_candidates  # `mgw connect`ed platforms count too

    settings = cli_settings(platforms, simulators)
    settings.connected_platforms(also=vault_candidates(settings))
    return settings


def _platform(name: str | None) -> Platform | None:
    if name is None:
        return None
    try:
        return Platform(name.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in platforms())
        raise typer.BadParameter(f"{name!r} is not a platform; known: {known}") from None


@sync_app.command("run")
def run(
    platform: Annotated[
        str | None,
        typer.Option(
            help="Sync only this platform, connecting only it (default: every configured one, "
            "as MGW_PLATFORMS says)."
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Read every record from the start, not only changes.")
    ] = False,
    simulators: Annotated[
        str | None, typer.Option(help="Connect every platform to the simulators at this URL.")
    ] = None,
) -> None:
    """Sync now, with a progress bar, and wait for it. A sync that was interrupted resumes
    where it stopped. Exit 1 when a platform's sync failed or another worker was syncing it."""
    chosen = _platform(platform)
    try:
        settings = _settings(chosen.value if chosen else "all", simulators)
    except (ConfigError, ValueError) as exc:
        for line in explain(exc):
            errors.print(f"[red]error:[/] {escape(line)}")
        raise typer.Exit(code=2) from None
    runs = asyncio.run(_run(settings, chosen, full))
    _show(runs)
    if any(r.status != SUCCEEDED for r in runs):
        raise typer.Exit(code=1)


async def _run(settings: Settings, platform: Platform | None, full: bool) -> list[SyncRunRecord]:
    async with open_services(settings) as services:
        sync = services.sync
        if platform is not None and platform not in sync.platforms:
            errors.print(f"[red]error:[/] {platform.value} is not connected")
            raise typer.Exit(code=2)
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description:<11}"),
            TextColumn("{task.fields[read]:>8,} read  {task.fields[written]:>8,} written"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console) as progress:
            bars = {
                p: progress.add_task(p.value, total=None, read=0, written=0)
                for p in ([platform] if platform else sync.platforms)
            }

            def moved(p: Platform, read: int, written: int, done: bool) -> None:
                progress.update(bars[p], read=read, written=written)
                if done:
                    progress.update(bars[p], total=1, completed=1)

            finished = await sync.run(platform, full=full, progress=moved)
        if platform is not None:
            return [finished]
        parts = await sync.recent(limit=len(bars) + 1)
        return [finished, *(r for r in parts if r.platform and r.started_at >= finished.started_at)]


@sync_app.command("status")
def status(
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many runs to show.")] = 20,
) -> None:
    """The most recent sync runs, newest first, from the store (`MGW_DATABASE_URL`)."""
    asyncio.run(_status(limit))


async def _status(limit: int) -> None:
    from hub.store import Store
    from sync_jobs.sync_runs import SyncRuns

    store = await Store.open(Settings().database_url)
    try:
        _show(await SyncRuns(store).recent(limit))
    finally:
        await store.close()


def _show(runs: list[SyncRunRecord]) -> None:
    table = Table("run", "platform", "full", "status", "read", "written", "started", "error")
    for r in runs:
        table.add_row(
            r.id,
            r.platform.value if r.platform else "all",
            "yes" if r.full else "",
            r.status,
            f"{r.records_read:,}",
            f"{r.records_written:,}",
            r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            r.error or "",
        )
    console.print(table)
