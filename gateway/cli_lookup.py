"""`mgw lookup`: one person resolved live across the platforms, with the exit codes scripts
branch on."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.cli_common import PlatformsOption, SimulatorsOption, console, fail, settings_for
from gateway.settings import ConfigError

LOOKUP_NOT_FOUND = 1
LOOKUP_PLATFORM_FAILED = 3


def lookup(
    email: Annotated[str, typer.Argument(help="The email to resolve.")],
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    platforms: PlatformsOption = "all",
    simulators: SimulatorsOption = None,
) -> None:
    """Resolve one person live across every configured platform and print the canonical
    customer, its sources and the platform each field came from. Exit 0 when found, 1 when
    every platform answered and none holds the email, 3 when a platform refused or failed
    (the answer may be incomplete), 2 for a bad email or configuration."""
    import asyncio

    from canonical_schema import is_email
    from gateway.lookup import lookup as run_lookup
    from gateway.lookup import render

    if not is_email(email):
        raise fail(f"not an email address: {email!r}")
    from gateway.connectors import vault_candidates  # `mgw connect`ed platforms count too
    from hub.vault import VaultError

    try:
        settings = settings_for(platforms, simulators)
        settings.connected_platforms(also=vault_candidates(settings))
        read = asyncio.run(run_lookup(settings, email))
    except (ConfigError, ValueError, VaultError) as exc:
        raise fail(exc) from None
    render(read, console, email, json_output=json_output)
    if read.failures:
        raise typer.Exit(code=LOOKUP_PLATFORM_FAILED)
    if read.customer is None:
        raise typer.Exit(code=LOOKUP_NOT_FOUND)
