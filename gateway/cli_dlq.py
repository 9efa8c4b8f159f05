"""`mgw dlq`: look at, replay and discard the writes that failed for good.

Replays run in this process (the in-process job runner, whatever MGW_REDIS_URL says), so an
operator needs no worker running, and the command waits until each write has finished —
WRITTEN, SKIPPED, or dead-lettered again — or `--wait` seconds pass.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from canonical_schema import Platform, WriteStatus
from connectors.registry import platforms
from gateway.cli_common import console, errors
from gateway.settings import ConfigError, Settings
from gateway.settings_checks import explain
from hub.dead_letters import DeadLetter, DeadLetters
from hub.write_results import TargetResult
from hub.write_service import WriteService

dlq_app = typer.Typer(
    help="The dead-letter queue: writes that failed for good.", no_args_is_help=True
)
T = TypeVar("T")

PlatformsOption = Annotated[str, typer.Option(help="Platforms to connect: `all` or a list.")]
SimulatorsOption = Annotated[
    str | None, typer.Option(help="Connect every platform to the simulators at this URL.")
]


def cli_settings(platforms: str, simulators: str | None, *, inline_jobs: bool = False) -> Settings:
    from gateway.simulated import fetch_credentials, with_simulators

    # `--platforms` defaults to `all`: only a list given on the command line overrides
    # MGW_PLATFORMS / mgw.toml (flags beat variables, and a default is no flag).
    settings = Settings() if platforms == "all" else Settings(platforms=platforms)
    if simulators:
        settings = with_simulators(settings, simulators, fetch_credentials(simulators))
    if inline_jobs:
        jobs = settings.jobs.model_copy(update={"engine": "inline"})
        settings = settings.model_copy(update={"jobs": jobs})
    return settings


def _run(settings: Settings, work: Callable[[WriteService], Awaitable[T]]) -> T:
    from gateway.services import open_services

    async def main() -> T:
        async with open_services(settings) as services:
            return await work(services.write)

    try:
        return asyncio.run(main())
    except (ConfigError, ValueError) as exc:
        for line in explain(exc):
            errors.print(f"[red]error:[/] {escape(line)}")
        raise typer.Exit(code=2) from None


def _read(work: Callable[[DeadLetters], Awaitable[T]]) -> T:
    """Run `work` on the store's dead letters alone: reading them needs no platform
    credentials, only MGW_DATABASE_URL (or the data directory's store)."""
    from hub.store import Store

    async def main() -> T:
        store = await Store.open(Settings().database_url)
        try:
            return await work(DeadLetters(store))
        finally:
            await store.close()

    try:
        return asyncio.run(main())
    except (ConfigError, ValueError) as exc:
        for line in explain(exc):
            errors.print(f"[red]error:[/] {escape(line)}")
        raise typer.Exit(code=2) from None


def _platform(name: str | None) -> Platform | None:
    if name is None:
        return None
    try:
        return Platform(name.strip().lower())
    except ValueError:
        known = ", ".join(p.value for p in platforms())
        errors.print(f"[red]error:[/] unknown platform {name!r}; known: {known}")
        raise typer.Exit(code=2) from None


async def _all_open(letters_: DeadLetters, platform: Platform | None) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    after = None
    while True:
        page = await letters_.page(100, after, platform)
        letters += page.items
        if not page.has_next_page or not page.items:
            return letters
        after = page.items[-1].cursor


@dlq_app.command("list")
def list_letters(
    platform: Annotated[str | None, typer.Option(help="Only this platform's.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """The open dead letters, oldest first. Reads the store only: no platform credentials."""
    only = _platform(platform)
    letters = _read(lambda dead: _all_open(dead, only))
    if json_output:
        console.print_json(json.dumps([_json(letter) for letter in letters]))
        return
    table = Table("id", "platform", "email", "error", "tries", "last failure")
    table.columns[0].no_wrap = True  # `dlq show ID` needs the whole id, at any width
    table.columns[0].min_width = max((len(letter.id) for letter in letters), default=2)
    for letter in letters:
        email = str(letter.request.get("input", {}).get("email", ""))
        last = letter.last_failed_at.isoformat(timespec="seconds")
        table.add_row(
            letter.id, letter.platform.name, email, letter.error[:80], str(letter.attempts), last
        )
    console.print(table)
    console.print(f"{len(letters)} open dead letter(s)")


@dlq_app.command("show")
def show(
    letter_id: Annotated[str, typer.Argument(metavar="ID", help="The dead letter's id (dlq_…).")],
) -> None:
    """Everything kept about one dead letter, as JSON. Reads the store only."""
    letter = _read(lambda dead: dead.get(letter_id))
    if letter is None:
        errors.print(f"[red]error:[/] no dead letter {letter_id!r}")
        raise typer.Exit(code=1)
    console.print_json(json.dumps(_json(letter)))


@dlq_app.command("replay")
def replay(
    letter_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="The dead letter.")
    ] = None,
    replay_all: Annotated[bool, typer.Option("--all", help="Replay every open one.")] = False,
    platform: Annotated[str | None, typer.Option(help="With --all: only this platform's.")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the writes to finish.")] = 120,
    platforms: PlatformsOption = "all",
    simulators: SimulatorsOption = None,
) -> None:
    """Send dead letters' writes again, here and now; exit 1 unless every one lands."""
    if (letter_id is None) == (not replay_all):
        errors.print("[red]error:[/] name one dead letter ID, or pass --all")
        raise typer.Exit(code=2)
    only = _platform(platform)

    async def work(writes: WriteService) -> list[TargetResult]:
        ids = (
            [letter_id] if letter_id else [d.id for d in await _all_open(writes.dead_letters, only)]
        )
        return await writes.replay_many(ids, wait=wait)

    results = _run(cli_settings(platforms, simulators, inline_jobs=True), work)
    landed = sum(r.status in (WriteStatus.WRITTEN, WriteStatus.SKIPPED) for r in results)
    for result in results:
        where = result.external_id or result.dead_letter_id or result.error or ""
        console.print(f"{result.platform.name:<10} {result.status.name:<13} {where}")
    console.print(f"{landed} of {len(results)} replayed write(s) landed")
    if landed != len(results):
        raise typer.Exit(code=1)


@dlq_app.command("discard")
def discard(
    letter_id: Annotated[str, typer.Argument(metavar="ID", help="The dead letter's id.")],
    platforms: PlatformsOption = "all",
    simulators: SimulatorsOption = None,
) -> None:
    """Drop a dead letter without writing it."""
    if not _run(cli_settings(platforms, simulators), lambda w: w.discard(letter_id)):
        errors.print(f"[red]error:[/] no open dead letter {letter_id!r}")
        raise typer.Exit(code=1)
    console.print(f"discarded {letter_id}")


def _json(letter: DeadLetter) -> dict[str, object]:
    return {
        "id": letter.id,
        "platform": letter.platform.name,
        "operation": letter.operation,
        "state": letter.state,
        "request": letter.request,
        "lastResponse": letter.last_response,
        "errorClass": letter.error_class,
        "errorMessage": letter.error_message,
        "attempts": letter.attempts,
        "firstFailedAt": letter.first_failed_at.isoformat(),
        "lastFailedAt": letter.last_failed_at.isoformat(),
        "correlationId": letter.correlation_id,
    }
