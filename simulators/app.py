"""The simulators' ASGI app: every platform under its own prefix, and `/_sim` to steer them.

create_app(SimConfig(people=50))  # in-process via httpx.ASGITransport, or under uvicorn
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from simulators.control import Control, SimState
from simulators.core.clock import Clock, SystemClock
from simulators.core.faults import Faults
from simulators.core.instrument import PlatformMiddleware
from simulators.core.platform import Platform, PlatformContext
from simulators.core.stats import Stats
from simulators.core.webhooks import WebhookSender
from simulators.core.world import generate_world
from simulators.hubspot import HubSpotPlatform
from simulators.mailchimp import MailchimpPlatform
from simulators.marketo import MarketoPlatform
from simulators.salesforce import SalesforcePlatform
from simulators.shopify import ShopifyPlatform


@dataclass(frozen=True)
class SimConfig:
    seed: int = 7
    people: int = 2000
    token_ttl: int = 1800  # seconds, for every expiring credential
    rate_limits: Literal["real", "off"] = "real"
    webhook_url: str | None = None  # the subscriber (the gateway's base URL); None: record only
    webhook_retry_seconds: float = 1.0  # first retry delay; doubles each attempt
    webhook_transport: httpx.AsyncBaseTransport | None = None  # in-process delivery (tests)
    # Newer accounts (see `PlatformContext.modern`); None: the seed decides (even seeds are).
    modern_accounts: bool | None = None
    # A Salesforce org with multi-currency on (records carry `CurrencyIsoCode`); an org setting
    # that real orgs differ in, off unless a test asks.
    multi_currency: bool = False

    @property
    def modern(self) -> bool:
        return self.seed % 2 == 0 if self.modern_accounts is None else self.modern_accounts


# One entry a platform: adding a platform is writing its package and listing it here.
FACTORIES: dict[str, Callable[[PlatformContext], Platform]] = {
    "hubspot": HubSpotPlatform,
    "mailchimp": MailchimpPlatform,
    "marketo": MarketoPlatform,
    "salesforce": SalesforcePlatform,
    "shopify": ShopifyPlatform,
}


def create_app(config: SimConfig | None = None, *, clock: Clock | None = None) -> Starlette:
    """Build the app; `clock` (default: the system clock) drives modified times, token expiry
    and rate windows, so tests can move time with `ManualClock.advance`."""
    config = config or SimConfig()
    clock = clock or SystemClock()
    world = generate_world(config.seed, config.people)
    stats = Stats()
    faults = Faults(config.seed)
    webhooks = WebhookSender(
        config.webhook_url,
        first_delay=config.webhook_retry_seconds,
        transport=config.webhook_transport,
    )
    platforms: dict[str, Platform] = {
        name: factory(
            PlatformContext(
                name=name,
                world=world,
                clock=clock,
                token_ttl=config.token_ttl,
                enforce_limits=config.rate_limits == "real",
                stats=stats.of(name),
                webhooks=webhooks,
                modern=config.modern,
                multi_currency=config.multi_currency,
            )
        )
        for name, factory in FACTORIES.items()
    }
    state = SimState(
        people=world.people, platforms=platforms, stats=stats, faults=faults, webhooks=webhooks
    )
    mounts = [
        Mount(f"/{name}", app=PlatformMiddleware(platform, stats.of(name), faults))
        for name, platform in platforms.items()
    ]
    app = Starlette(routes=[Mount("/_sim", routes=Control(state).routes()), *mounts])
    app.state.sim = state
    app.state.config = config
    return app
