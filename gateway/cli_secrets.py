"""`mgw secrets`: the credential vault's key rotation and audit trail."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from gateway.cli_common import console
from gateway.settings import ConfigError, Settings
from hub.store import Store
from hub.vault import CredentialVault, VaultError

secrets_app = typer.Typer(help="Rotate the vault's key; read its audit trail.")


def _vault_run(action: str, platform: str | None = None) -> object:
    async def run() -> object:
        settings = Settings()
        store = await Store.open(settings.database_url)
        try:
            vault = CredentialVault(store, settings.vault_keys(), actor="mgw secrets")
            return await vault.rotate() if action == "rotate" else await vault.audit(platform)
        finally:
            await store.close()

    try:
        return asyncio.run(run())
    except (ConfigError, VaultError) as exc:
        Console(stderr=True, soft_wrap=True).print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None


@secrets_app.command("rotate")
def rotate() -> None:
    """Re-encrypt every stored credential under MGW_SECRET_KEY. Put the new key in
    MGW_SECRET_KEY and the old one in MGW_SECRET_KEY_PREVIOUS, run this, then drop the old."""
    count = _vault_run("rotate")
    console.print(f"re-encrypted {count} credential(s) under the current key")


@secrets_app.command("audit")
def audit(
    platform: Annotated[str | None, typer.Option(help="Only this platform.")] = None,
) -> None:
    """The latest vault accesses: who read or changed which credential, when and why."""
    rows = _vault_run("audit", platform)
    table = Table("at", "action", "platform", "account", "actor", "reason")
    for row in rows:  # type: ignore[attr-defined]
        table.add_row(
            str(row["at"]),
            row["action"],
            row["platform"],
            row["account"],
            row["actor"],
            row["reason"],
        )
    console.print(table)
