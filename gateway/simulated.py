"""`--simulators URL`: connect every platform to the simulators with their demo credentials."""

from __future__ import annotations

import importlib.util
from typing import Any

import httpx

from connectors.registry import specs
from gateway.settings import ConfigError, Settings

SIMULATORS_DISTRIBUTION = "marketing-graph-gateway-simulators"


def require_simulators() -> None:
    """ConfigError saying what to install when the simulators are not (the production wheel
    leaves them out: docs/adr/0083-packaging.md)."""
    if importlib.util.find_spec("simulators") is None:
        raise ConfigError(
            f"the platform simulators are not installed: pip install {SIMULATORS_DISTRIBUTION} "
            "(from the repository: pip install ./simulators; `make install` does it)"
        )


def fetch_credentials(url: str, timeout: float = 5.0) -> dict[str, Any]:
    """The simulators' `/_sim/credentials`; ConfigError when they do not answer."""
    endpoint = url.rstrip("/") + "/_sim/credentials"
    try:
        response = httpx.get(endpoint, timeout=timeout)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ConfigError(f"the simulators at {url} did not answer {endpoint}: {exc}") from exc
    if not isinstance(body, dict):
        raise ConfigError(f"{endpoint} answered something other than a JSON object")
    return body


def with_simulators(settings: Settings, url: str, credentials: dict[str, Any]) -> Settings:
    """`settings` with every platform pointed at the simulators under `url`, using the demo
    credentials they publish."""
    base = url.rstrip("/")
    update = {
        spec.key: spec.simulated(base, credentials.get(spec.key) or {})
        for spec in specs()
        if spec.simulated is not None
    }
    return settings.model_copy(update=update)
