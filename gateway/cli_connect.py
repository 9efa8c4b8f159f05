"""`mgw connect`: a platform connected by OAuth, its tokens sealed in the vault."""

from __future__ import annotations

from typing import Annotated

import typer

from connectors.registry import specs
from gateway.cli_common import SimulatorsOption, console, fail, settings_for
from gateway.settings import ConfigError

OAUTH_PLATFORMS = ", ".join(spec.key for spec in specs() if spec.oauth is not None)
"""The platforms a person connects by OAuth (their spec has a flow)."""


def connect(
    platform: Annotated[str, typer.Argument(help=f"One of: {OAUTH_PLATFORMS}.")],
    simulators: SimulatorsOption = None,
    redirect_uri: Annotated[
        str, typer.Option(help="Where the platform sends the browser back (must be registered).")
    ] = "http://127.0.0.1:8765/oauth/callback",
) -> None:
    """Connect a platform by OAuth and keep its tokens, encrypted, in the vault (needs
    MGW_SECRET_KEY). Against --simulators the flow runs unattended."""
    import asyncio

    from canonical_schema import Platform
    from gateway.connect import connect as run_connect

    try:
        chosen = Platform(platform.strip().lower())
        settings = settings_for("all", simulators)
        summary = asyncio.run(
            run_connect(
                settings, chosen, redirect_uri, unattended=bool(simulators), console=console
            )
        )
    except (ConfigError, ValueError) as exc:
        raise fail(exc) from None
    console.print(f"connected {summary['platform']}; tokens sealed in the vault")
