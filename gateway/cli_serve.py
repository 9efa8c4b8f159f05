"""`mgw serve`: the gateway on one port (or several worker processes on it), and the admin
listener when configured."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from gateway.cli_common import PlatformsOption, SimulatorsOption, fail, settings_for
from gateway.settings import ConfigError


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
            raise fail(f"--config {config_file}: no such file")
        # read here, and by the processes of --workers
        os.environ["MGW_CONFIG"] = str(config_file.resolve())
    try:
        settings = settings_for(platforms, simulators, **overrides)
        check_workers(settings, workers)
        migrate_store(settings.database_url)
    except (ConfigError, ValueError, StoreError) as exc:
        raise fail(exc) from None
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
        raise fail(exc) from None
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
