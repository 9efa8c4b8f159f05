"""What every platform simulator offers the app and the control API.

A platform is one object: its own ASGI sub-app (mounted at `/<name>`) plus the hooks `/_sim`
needs. Adding a platform means writing one of these and listing it in `simulators.app`.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from simulators.core.clock import Clock
from simulators.core.stats import PlatformStats
from simulators.core.webhooks import WebhookSender
from simulators.core.world import World, rng


class UnknownRecord(LookupError):
    """`/_sim/{platform}/mutate` named an email the platform does not hold."""


class InvalidFields(ValueError):
    """`/_sim/{platform}/mutate` named a field the platform does not have."""


@dataclass(frozen=True)
class PlatformContext:
    """Everything a platform simulator is built from; `simulators.app` makes one per platform."""

    name: str
    world: World
    clock: Clock
    token_ttl: int
    enforce_limits: bool
    stats: PlatformStats
    webhooks: WebhookSender
    # A newer account: what newer real accounts do differently (a HubSpot portal without the
    # legacy score property, a Marketo instance on the Activity Service: activities without `id`).
    modern: bool = False
    # An account with several currencies: each Salesforce record carries `CurrencyIsoCode`.
    multi_currency: bool = False

    @property
    def seed(self) -> int:
        return self.world.seed

    def rng(self, purpose: str) -> random.Random:
        """This platform's own random stream for one purpose (seeding, mess, ids)."""
        return rng(self.world.seed, self.name, purpose)


class Platform(Protocol):
    name: str

    @property
    def app(self) -> ASGIApp:
        """The platform's API, mounted at `/<name>`."""
        ...

    @property
    def routes(self) -> Sequence[BaseRoute]:
        """The API routes, so stats can count by route template."""
        ...

    def error_response(self, status: int) -> Response:
        """The platform's own error for `status`, used by injected faults."""
        ...

    def drift(self, body: Any, rng: random.Random) -> Any:
        """`body` (decoded JSON of a successful answer) with schema drift applied: a field
        renamed or retyped the way a platform's API changes under a connector's feet."""
        ...

    def credentials(self) -> dict[str, str]: ...

    def external_ids(self) -> Mapping[str, str]:
        """Lower-cased email -> the platform's id, for every person it holds."""
        ...

    def reset(self, *, reseed: bool) -> None:
        """Forget rate windows; with `reseed`, also restore the seeded records."""
        ...

    def records(self, email: str) -> list[dict[str, Any]]: ...

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Edit a record as a UI user would; raises `UnknownRecord` or `InvalidFields`."""
        ...

    def writes(self) -> list[dict[str, Any]]: ...


@runtime_checkable
class Revocable(Protocol):
    """A platform whose OAuth grants a user can revoke (`POST /_sim/{platform}/revoke`)."""

    def revoke_tokens(self) -> int:
        """Disconnect the app, as a user removing it in the platform's settings would: every
        refresh and access token issued so far stops working, the published refresh token
        included; static credentials (private-app token, offline token, API key) keep working.
        Lasts until the simulators restart; a new authorization-code flow issues working
        tokens again. Returns how many tokens stopped working."""
        ...


@runtime_checkable
class Storefront(Protocol):
    """A platform shoppers buy from (`POST /_sim/{platform}/orders`)."""

    def place_order(
        self, email: str, total: str, utm_campaign: str | None, processed_ms: int | None = None
    ) -> dict[str, Any]:
        """A shopper with `email` (an existing customer) checks out for `total` in the shop's
        currency, having arrived last from a link carrying `utm_campaign`: the order exists
        from now on and the platform announces it as it would (webhooks). `processed_ms`
        backdates it, as an order imported from another system is (its processing date is
        its own; it is created and updated now). Returns the order as the platform's API
        shows it. Raises UnknownRecord for an email the shop does not hold, InvalidFields for
        a total that is not a positive amount or a processing date in the future."""
        ...
