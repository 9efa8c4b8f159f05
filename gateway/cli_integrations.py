"""`mgw integrations map`: every integration this configuration connects, as Markdown and
Mermaid."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gateway.cli_common import SimulatorsOption, console, fail, settings_for
from gateway.settings import ConfigError

integrations_app = typer.Typer(help="The integrations this configuration connects.")


@integrations_app.command("map")
def integrations_map(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    simulators: SimulatorsOption = None,
) -> None:
    """A Markdown table and a Mermaid diagram of every integration, from the configuration:
    source, destination, entities, frequency, auth method, owner."""
    from gateway.integration_map import markdown

    try:
        text = markdown(settings_for("all", simulators))
    except (ConfigError, ValueError) as exc:
        raise fail(exc) from None
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        console.print(f"wrote {output}")
