"""`mgw keys`: the API keys clients send as `Authorization: Bearer <key>` in the serve profile.

A key is printed once, when it is created; the store keeps only its SHA-256 digest, so a lost
key is revoked and replaced, never recovered (docs/adr/0050-client-auth.md).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from access.scopes import ALL_SCOPES, UnknownScopeError
from gateway.cli_common import console, errors
from gateway.security.api_keys import ApiKeyInfo, ApiKeyStore
from gateway.settings import Settings
from hub.store import Store

keys_app = typer.Typer(
    help="API keys for clients of /graphql: create, list, revoke.", no_args_is_help=True
)
T = TypeVar("T")


def _run(work: Callable[[ApiKeyStore], Awaitable[T]]) -> T:
    async def run() -> T:
        store = await Store.open(Settings().database_url)
        try:
            return await work(ApiKeyStore(store))
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (UnknownScopeError, ValueError) as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None


def _as_dict(info: ApiKeyInfo) -> dict[str, object]:
    return {
        "id": info.id,
        "name": info.name,
        "scopes": sorted(info.scopes),
        "created_at": info.created_at.isoformat(),
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
    }


@keys_app.command("create")
def create(
    scopes: Annotated[
        str,
        typer.Option(help=f"Comma-separated scopes: {', '.join(sorted(ALL_SCOPES))}."),
    ],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Create a key and print it — the only time it is shown — alone on stdout (the rest goes
    to stderr), so `KEY=$(mgw keys create …)` holds just the key."""
    info, raw = _run(lambda keys: keys.create(name, scopes))
    if json_output:
        typer.echo(json.dumps({**_as_dict(info), "key": raw}))
        return
    # The key alone on stdout, so `KEY=$(mgw keys create …)` works; the rest on stderr.
    errors.print(f"key {info.id} ({info.name}), scopes: {' '.join(sorted(info.scopes))}")
    typer.echo(raw)
    errors.print("Store it now: it is not shown again. Send it as `Authorization: Bearer <key>`.")


@keys_app.command("list")
def list_keys(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Every key (never the key itself): id, name, scopes, when created and revoked."""
    found = _run(lambda keys: keys.list())
    if json_output:
        typer.echo(json.dumps([_as_dict(info) for info in found]))
        return
    table = Table("id", "name", "scopes", "created", "revoked")
    for info in found:
        table.add_row(
            info.id,
            info.name,
            " ".join(sorted(info.scopes)),
            f"{info.created_at:%Y-%m-%d %H:%M}",
            f"{info.revoked_at:%Y-%m-%d %H:%M}" if info.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(metavar="ID", help="The key's id.")]) -> None:
    """Revoke a key: it stops working within MGW_SECURITY__KEY_CACHE_SECONDS (5 s)."""
    if not _run(lambda keys: keys.revoke(key_id)):
        errors.print(f"[red]error:[/] no active key has the id {key_id!r}")
        raise typer.Exit(code=1)
    console.print(f"revoked {key_id}")
