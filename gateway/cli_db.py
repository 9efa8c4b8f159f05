"""`mgw db`: bring the store's schema to this release, or say where it stands.

`mgw serve`, `mgw worker` and every command that opens the store migrate it on start too (under
a lock, so replicas starting together do not race); `mgw db upgrade` does it on its own, e.g.
as a deploy step before the new release's replicas start. (docs/adr/0065-store-migrations.md)
"""

from __future__ import annotations

import asyncio

import typer

from gateway.cli_common import console, errors
from gateway.settings import ConfigError, Settings
from hub.store_migrate import StoreError

db_app = typer.Typer(help="The store's schema: migrate it to this release, or show its revision.")


def _database_url() -> str:
    try:
        return Settings().database_url
    except (ConfigError, ValueError) as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None


@db_app.command()
def upgrade() -> None:
    """Apply every migration the store (MGW_DATABASE_URL) lacks, then check its tables."""
    from hub.store import Store

    url = _database_url()
    try:
        applied = asyncio.run(Store.migrate(url))
    except StoreError as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=1) from None
    if applied:
        console.print(f"applied {len(applied)} migration(s): {', '.join(applied)}")
    else:
        console.print("the store is already at this release's schema")


@db_app.command()
def status() -> None:
    """The store's revision and this release's; exit 1 when the store needs `mgw db upgrade`."""
    from hub import store_migrate

    url = _database_url()
    try:
        at = asyncio.run(store_migrate.current(url, {}))
        head = store_migrate.head()
    except StoreError as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=1) from None
    console.print(f"store: {at or '(no schema yet)'}\nrelease: {head}")
    if at != head:
        raise typer.Exit(code=1)
