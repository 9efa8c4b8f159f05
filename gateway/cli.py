"""`mgw`: run the gateway, the simulators or the demo, and keep schema.graphql true."""

from __future__ import annotations

import difflib
import os
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
import uvicorn
from rich.console import Console

from gateway.cli_config import config_app
from gateway.cli_db import db_app
from gateway.cli_dlq import dlq_app
from gateway.cli_keys import keys_app
from gateway.cli_secrets import secrets_app
from gateway.cli_sync import sync_app
from gateway.cli_worker import worker_app
from gateway.settings import ConfigError, Settings

app = typer.Typer(
    help="Marketing Graph Gateway: one GraphQL graph over your marketing platforms.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help text is plain: docstring line breaks do not show
)
schema_app = typer.Typer(help="Export the served GraphQL schema or check schema.graphql.")
app.add_typer(schema_app, name="schema")
integrations_app = typer.Typer(help="The integrations this configuration connects.")
app.add_typer(integrations_app, name="integrations")
app.add_typer(secrets_app, name="secrets")
app.add_typer(dlq_app, name="dlq")
app.add_typer(worker_app, name="worker")
app.add_typer(sync_app, name="sync")
app.add_typer(keys_app, name="keys")
app.add_typer(config_app, name="config")
app.add_typer(db_app, name="db")
console = Console()
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


LOOKUP_NOT_FOUND = 1
LOOKUP_PLATFORM_FAILED = 3


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


def _fail(problem: str | BaseException) -> typer.Exit:
    """Exit 2 after one line per problem (a settings refusal names each variable)."""
    from rich.markup import escape

    from gateway.settings_checks import explain

    lines = [problem] if isinstance(problem, str) else explain(problem)
    for line in lines:
        errors.print(f"[red]error:[/] {escape(line)}")
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: MGW_HOST, or 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default: MGW_PORT, or 8000).")
    ] = None,
    platforms: PlatformsOption = "all",
    simulators: SimulatorsOption = None,
    log_level: Annotated[
        str | None, typer.Option(help="debug, info, warning or error (default: MGW_LOG_LEVEL).")
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=1, help="Worker processes on the one port; above 1 needs MGW_REDIS_URL."),
    ] = 1,
    config_file: Annotated[
        Path | None,
        typer.Option(
            "--config", help="The mgw.toml to read (default: MGW_CONFIG, else ./mgw.toml if any)."
        ),
    ] = None,
) -> None:
    """Serve the graph at /graphql (GraphiQL in a browser), configured from MGW_* variables and
    mgw.toml; flags override them."""
    from gateway.servers import check_workers, exec_workers, migrate_store
    from hub.store_migrate import StoreError

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if config_file is not None:
        if not config_file.is_file():
            raise _fail(f"--config {config_file}: no such file")
        # read here, and by the processes of --workers
        os.environ["MGW_CONFIG"] = str(config_file.resolve())
    try:
        settings = _settings(platforms, simulators, **overrides)
        check_workers(settings, workers)
        migrate_store(settings.database_url)
    except (ConfigError, ValueError, StoreError) as exc:
        raise _fail(exc) from None
    if workers > 1:  # each process builds its own app (gateway/servers.py)
        exec_workers(
            settings,
            workers,
            platforms=platforms,
            simulators=simulators,
            overrides=overrides,
            log_level=log_level,
        )
    from gateway.app import create_app

    try:
        application = create_app(settings)
    except (ConfigError, ValueError) as exc:
        raise _fail(exc) from None
    from gateway.telemetry.logs import configure_logging

    configure_logging(
        log_level or settings.log_level,
        json_lines=settings.log_format == "json",
        secrets=settings.secret_values(),
    )
    from gateway.servers import settle_memory

    settle_memory()
    proxies = settings.webhooks.trusted_proxies  # forwarded headers from these only
    config = uvicorn.Config(
        application,
        host=settings.host,
        port=settings.port,
        log_config=None,
        log_level=None,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
    admin = settings.admin_address()
    if admin is None:
        uvicorn.Server(config).run()
        return
    from gateway.servers import listening_socket

    sockets = [config.bind_socket(), listening_socket(*admin)]  # the main port, then admin's
    uvicorn.Server(config).run(sockets=sockets)


@app.command()
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
        raise _fail(f"not an email address: {email!r}")
    from gateway.connectors import vault_candidates  # `mgw connect`ed platforms count too
    from hub.vault import VaultError

    try:
        settings = _settings(platforms, simulators)
        settings.connected_platforms(also=vault_candidates(settings))
        read = asyncio.run(run_lookup(settings, email))
    except (ConfigError, ValueError, VaultError) as exc:
        raise _fail(exc) from None
    render(read, console, email, json_output=json_output)
    if read.failures:
        raise typer.Exit(code=LOOKUP_PLATFORM_FAILED)
    if read.customer is None:
        raise typer.Exit(code=LOOKUP_NOT_FOUND)


def _settings(platforms: str, simulators: str | None, **overrides: object) -> Settings:
    from gateway.simulated import fetch_credentials, with_simulators

    # `--platforms` defaults to `all`: only a list given on the command line overrides
    # MGW_PLATFORMS / mgw.toml (flags beat variables, and a default is no flag).
    if platforms != "all":
        overrides["platforms"] = platforms
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if simulators:
        settings = with_simulators(settings, simulators, fetch_credentials(simulators))
    return settings


@app.command()
def connect(
    platform: Annotated[str, typer.Argument(help="hubspot, salesforce, shopify or mailchimp.")],
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
        settings = _settings("all", simulators)
        summary = asyncio.run(
            run_connect(
                settings, chosen, redirect_uri, unattended=bool(simulators), console=console
            )
        )
    except (ConfigError, ValueError) as exc:
        raise _fail(exc) from None
    console.print(f"connected {summary['platform']}; tokens sealed in the vault")


@app.command()
def simulate(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9100,
    seed: Annotated[
        int, typer.Option(help="Seed of the generated people; same seed, same data.")
    ] = 7,
    people: Annotated[int, typer.Option(min=1, help="How many people to generate.")] = 2000,
    token_ttl: Annotated[
        int, typer.Option(min=1, help="OAuth access-token lifetime, seconds.")
    ] = 1800,
    rate_limits: Annotated[
        str, typer.Option(help="`real`: enforce each platform's documented limits; `off`: none.")
    ] = "real",
    webhook_url: Annotated[
        str | None, typer.Option(help="Where platforms send webhooks (the gateway's base URL).")
    ] = None,
) -> None:
    """Serve the five platform simulators on one port, each under its own prefix (/hubspot, …),
    with the control API under /_sim (credentials, ground truth, faults, stats)."""
    from gateway.simulated import require_simulators

    try:
        require_simulators()
    except ConfigError as exc:
        raise _fail(exc) from None
    from simulators import SimConfig, create_app

    if rate_limits not in ("real", "off"):
        raise _fail("--rate-limits must be `real` or `off`")
    limits: Literal["real", "off"] = "real" if rate_limits == "real" else "off"
    config = SimConfig(
        seed=seed, people=people, token_ttl=token_ttl, rate_limits=limits, webhook_url=webhook_url
    )
    console.print(f"simulators on http://{host}:{port} (credentials: /_sim/credentials)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Gateway port.")] = 8000,
    sim_port: Annotated[int, typer.Option(help="Simulators' port.")] = 9100,
    people: Annotated[int, typer.Option(min=1, help="How many people to seed.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the demo data.")] = 7,
    platforms: PlatformsOption = "all",
    host: Annotated[str, typer.Option(help="Address both listen on.")] = "127.0.0.1",
    info_file: Annotated[
        Path | None,
        typer.Option(help="Once everything answers, write {graphql_url, simulator_url, pid} here."),
    ] = None,
    secure: Annotated[
        bool,
        typer.Option(
            "--secure",
            help="Serve-profile protections on; print two API keys (every scope; "
            "read:customers only), also in the info file as `api_keys`.",
        ),
    ] = False,
    keep_data: Annotated[
        bool,
        typer.Option(
            "--keep-data",
            help="Keep state in the configured database (MGW_DATABASE_URL, else the data "
            "directory's mgw.db) instead of a fresh one that is removed when the demo stops.",
        ),
    ] = False,
) -> None:
    """Start the simulators with seeded data and the gateway connected to them, then print the
    GraphiQL URL and sample queries. No credentials needed (unless `--secure`)."""
    from gateway.demo import DemoOptions, run_demo

    options = DemoOptions(
        host=host,
        port=port,
        sim_port=sim_port,
        people=people,
        seed=seed,
        platforms=platforms,
        info_file=info_file,
        secure=secure,
        keep_data=keep_data,
    )
    try:
        run_demo(options, console)
    except (ConfigError, ValueError) as exc:
        raise _fail(exc) from None
    except KeyboardInterrupt:
        pass


@integrations_app.command("map")
def integrations_map(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here.")] = None,
    simulators: SimulatorsOption = None,
) -> None:
    """A Markdown table and a Mermaid diagram of every integration, from the configuration:
    source, destination, entities, frequency, auth method, owner."""
    from gateway.integration_map import markdown

    try:
        text = markdown(_settings("all", simulators))
    except (ConfigError, ValueError) as exc:
        raise _fail(exc) from None
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text)
        console.print(f"wrote {output}")


@schema_app.command("export")
def schema_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write; `-` for stdout.")
    ] = Path("schema.graphql"),
) -> None:
    """Write the schema the gateway serves, in SDL."""
    from resolvers import sdl

    if str(output) == "-":
        sys.stdout.write(sdl())
    else:
        output.write_text(sdl())
        console.print(f"wrote {output}")


@schema_app.command("check")
def schema_check(
    path: Annotated[Path, typer.Argument(help="The exported SDL to compare.")] = Path(
        "schema.graphql"
    ),
) -> None:
    """Fail when PATH differs from the schema the code serves (run `mgw schema export` to fix)."""
    from resolvers import sdl

    served = sdl()
    current = path.read_text() if path.exists() else ""
    if current == served:
        console.print(f"{path} matches the served schema")
        return
    from gateway.schema_governance import compare

    diff = difflib.unified_diff(
        current.splitlines(keepends=True), served.splitlines(keepends=True), str(path), "served"
    )
    sys.stdout.writelines(diff)
    if current:
        try:
            changes = compare(current, served)
        except ValueError as exc:
            raise _fail(f"{path}: {exc}") from None
        for change in changes.breaking:
            errors.print(f"[red]breaking:[/] {change}")
        for change in changes.dangerous:
            errors.print(f"[yellow]dangerous:[/] {change}")
        if changes.breaking:
            raise _fail(
                f"the served schema breaks {len(changes.breaking)} thing(s) clients of {path} "
                "rely on; if that is intended, say so in the change and run `mgw schema export`"
            )
    raise _fail(f"{path} differs from the served schema; run `mgw schema export`")
