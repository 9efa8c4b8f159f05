"""The simulators' ASGI app: every platform under its own prefix, and `/_sim` to steer them.

create_app(SimConfig(people=50))  # in-process via httpx.ASGITransport, or under uvicorn
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from starlette.applications import Starlette
from starlette.routing import Mount

from simulators.control import Control, SimState
from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import Faults
from simulators.core.instrument import PlatformMiddleware
from simulators.core.people import generate_people
from simulators.core.platform import Platform
from simulators.core.stats import Stats
from simulators.hubspot import HubSpotPlatform


@dataclass(frozen=True)
class SimConfig:
    seed: int = 7
    people: int = 2000
    token_ttl: int = 1800  # seconds, for OAuth access tokens
    rate_limits: Literal["real", "off"] = "real"
    webhook_url: str | None = None  # not used yet


def create_app(config: SimConfig | None = None, *, clock: Clock | None = None) -> Starlette:
    """Build the app; `clock` (default: the system clock) drives modified times, token expiry
    and rate windows, so tests can move time with `ManualClock.advance`."""
    config = config or SimConfig()
    clock = clock or SystemClock()
    people = generate_people(config.seed, config.people)
    stats = Stats()
    faults = Faults(config.seed)
    platforms: dict[str, Platform] = {
        "hubspot": HubSpotPlatform(
            people,
            seed=config.seed,
            clock=clock,
            token_ttl=config.token_ttl,
            enforce_limits=config.rate_limits == "real",
            stats=stats.of("hubspot"),
        ),
    }
    state = SimState(people=people, platforms=platforms, stats=stats, faults=faults)
    mounts = [
        Mount(f"/{name}", app=PlatformMiddleware(platform, stats.of(name), faults))
        for name, platform in platforms.items()
    ]
    app = Starlette(routes=[Mount("/_sim", routes=Control(state).routes()), *mounts])
    app.state.sim = state
    app.state.config = config
    return app
