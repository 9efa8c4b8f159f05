"""`--simulators URL`: connect every platform to the simulators with their demo credentials."""

from __future__ import annotations

from typing import Any

import httpx

from connectors.registry import specs
from gateway.settings import ConfigError, Settings


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
