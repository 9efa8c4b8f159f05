"""`mgw worker`: run jobs from the shared arq queue in Redis (MGW_REDIS_URL). Start as many
as the load needs, on any machine that reaches Redis, the store and the platforms."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer
from rich.console import Console

from canonical_schema.invariants import BrokenInvariant
from gateway.cli_dlq import PlatformsOption, SimulatorsOption, cli_settings
from gateway.connectors import vault_candidates
from gateway.settings import ConfigError, Settings

worker_app = typer.Typer(help="Run background jobs (write-back, sync) from the Redis queue.")
errors = Console(stderr=True, soft_wrap=True)  # one error, one line


@worker_app.callback(invoke_without_command=True)
def worker(
    burst: Annotated[
        bool, typer.Option(help="Stop once the queue is empty (for scripts and tests).")
    ] = False,
    platforms: PlatformsOption = "all",
    simulators: SimulatorsOption = None,
    log_level: Annotated[str, typer.Option(help="Logging level.")] = "info",
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM); a job cut short runs again on another worker."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    try:
        settings = cli_settings(platforms, simulators)
        settings.connected_platforms(also=vault_candidates(settings))
        if not settings.jobs.uses_arq(settings.redis_url):
            raise ConfigError(
                "mgw worker needs MGW_REDIS_URL (and MGW_JOBS__ENGINE auto or arq); without "
                "Redis the gateway runs its jobs itself"
            )
        asyncio.run(_work(settings, burst))
    except (ConfigError, ValueError) as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    except KeyboardInterrupt:
        pass


async def _work(settings: Settings, burst: bool) -> None:
    from gateway.services import open_services
    from gateway.telemetry import configure_tracing
    from gateway.telemetry.logs import configure_logging
    from sync_jobs.worker import run_worker

    if settings.redis_url is None:
        raise BrokenInvariant("expected settings.redis_url is not None")
    # Jobs continue the trace of whoever queued them: spans, log lines and traceparent here
    # carry the same trace id as the request that asked (gateway/telemetry/).
    configure_tracing(settings.otlp_endpoint)
    level = logging.getLevelName(logging.getLogger().level)  # --log-level, set above
    json_lines = settings.log_format == "json"
    configure_logging(level, json_lines=json_lines, secrets=settings.secret_values())
    async with open_services(settings) as services:
        await run_worker(
            services.jobs, settings.redis_url, services.write, {"services": services}, burst=burst
        )
