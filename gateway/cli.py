"""`mgw`: run the gateway, the simulators or the demo, and keep schema.graphql true.

The commands live in modules named by what they do (`cli_serve.py`, `cli_demo.py`, …); this one
is the root they hang from, in the order `mgw --help` lists them."""

from __future__ import annotations

from typing import Annotated

import typer

from gateway.cli_config import config_app
from gateway.cli_connect import connect
from gateway.cli_db import db_app
from gateway.cli_demo import demo, simulate
from gateway.cli_dlq import dlq_app
from gateway.cli_integrations import integrations_app
from gateway.cli_keys import keys_app
from gateway.cli_lookup import lookup
from gateway.cli_schema import schema_app
from gateway.cli_secrets import secrets_app
from gateway.cli_serve import serve
from gateway.cli_sync import sync_app
from gateway.cli_worker import worker_app

app = typer.Typer(
    help="Marketing Graph Gateway: one GraphQL graph over your marketing platforms.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: docstring line breaks do not show
)
for command in (serve, lookup, connect, simulate, demo):
    app.command()(command)
app.add_typer(schema_app, name="schema")
app.add_typer(integrations_app, name="integrations")
app.add_typer(secrets_app, name="secrets")
app.add_typer(dlq_app, name="dlq")
app.add_typer(worker_app, name="worker")
app.add_typer(sync_app, name="sync")
app.add_typer(keys_app, name="keys")
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"mgw {version('marketing-graph-gateway')}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Marketing Graph Gateway: one GraphQL graph over your marketing platforms."""
