"""What the top-level `mgw` commands share: the consoles, the one-line failure, the settings
a command's flags give, and the `--platforms` and `--simulators` options."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from gateway.settings import Settings

console = Console(soft_wrap=True)  # a line a script reads is never cut in two
errors = Console(stderr=True, soft_wrap=True)  # one error, one line

PlatformsOption = Annotated[
    str,
    typer.Option(
        help="Platforms to connect: `all` (every configured one) or e.g. `hubspot,shopify`."
    ),
]
SimulatorsOption = Annotated[
    str | None,
    typer.Option(
        help="Connect every platform to the simulators at this URL (e.g. http://127.0.0.1:9100), "
        "with the demo credentials they publish at /_sim/credentials.",
    ),
]


def fail(problem: str | BaseException) -> typer.Exit:
    """Exit 2 after one line per problem (a settings refusal names each variable)."""
    from rich.markup import escape

    from gateway.settings_checks import explain

    lines = [problem] if isinstance(problem, str) else explain(problem)
    for line in lines:
        errors.print(f"[red]error:[/] {escape(line)}")
    return typer.Exit(code=2)


def settings_for(platforms: str, simulators: str | None, **overrides: object) -> Settings:
    """The settings a command runs with: its flags over MGW_* variables and mgw.toml, pointed
    at the simulators when `--simulators` names them."""
    from gateway.simulated import fetch_credentials, with_simulators

    # `--platforms` defaults to `all`: only a list given on the command line overrides
    # MGW_PLATFORMS / mgw.toml (flags beat variables, and a default is no flag).
    if platforms != "all":
        overrides["platforms"] = platforms
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if simulators:
        settings = with_simulators(settings, simulators, fetch_credentials(simulators))
    return settings
