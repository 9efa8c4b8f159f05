"""`mgw simulate` and `mgw demo`: the platform simulators alone, or with the gateway
connected to them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer
import uvicorn

from gateway.cli_common import PlatformsOption, console, fail
from gateway.settings import ConfigError


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
        raise fail(exc) from None
    from simulators import SimConfig, create_app

    if rate_limits not in ("real", "off"):
        raise fail("--rate-limits must be `real` or `off`")
    limits: Literal["real", "off"] = "real" if rate_limits == "real" else "off"
    config = SimConfig(
        seed=seed, people=people, token_ttl=token_ttl, rate_limits=limits, webhook_url=webhook_url
    )
    console.print(f"simulators on http://{host}:{port} (credentials: /_sim/credentials)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


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
        raise fail(exc) from None
    except KeyboardInterrupt:
        pass
