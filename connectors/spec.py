"""What the gateway knows about one platform, in one value: `PlatformSpec`.

Each platform's folder exports its spec from `spec.py`; `connectors/registry.py` lists them,
and is the only table of platforms. Settings, the connector factories, rate limits, the
integration map, OAuth connection, webhooks, health and the dashboard are derived from it, so
nothing outside a platform's folder names a platform.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import httpx

from cache.rate_rules import Learners, LimitSettings
from canonical_schema import CustomerRecord, Platform
from connectors.base import CustomerSource
from connectors.change_feeds import Feed
from connectors.credentials import Credentials
from connectors.errors import ErrorShape
from connectors.webhooks import WebhookSpec


class Capability(StrEnum):
    """What a platform's connector can do; each is a protocol in `connectors/base.py`."""

    CUSTOMERS = "customers"  # CustomerSource: people by email, paged, counted
    WRITES = "writes"  # CustomerSink: upsert people
    CHANGES = "changes"  # ChangeFeed: people changed since a checkpoint (incremental sync)
    COMPANIES = "companies"
    DEALS = "deals"
    ORDERS = "orders"
    EVENTS = "events"
    CAMPAIGNS = "campaigns"
    WEBHOOKS = "webhooks"  # changes pushed to /webhooks/<platform>


CRM = frozenset(
    {
        Capability.CUSTOMERS,
        Capability.WRITES,
        Capability.CHANGES,
        Capability.COMPANIES,
        Capability.DEALS,
    }
)
"""What a CRM does (HubSpot, Salesforce): people read, written and synced; companies; deals."""


class PlatformSettings(Protocol):
    """A platform's settings model (`MGW_<PLATFORM>__…`)."""

    missing: ClassVar[str]
    """What to set when the platform is not configured."""

    @property
    def configured(self) -> bool:
        """Enough credentials to connect."""
        ...

    @property
    def credential(self) -> str:
        """The account whose quota calls spend (keys the shared rate limiter; never logged)."""
        ...


class Connect(Protocol):
    """(the platform's settings, its pooled HTTP client, its vaulted credentials) -> connector,
    which reads a phone written without a country code in `phone_region` (an ISO 3166 region,
    `MGW_DEFAULT_PHONE_REGION`)."""

    def __call__(
        self, options: Any, http: httpx.AsyncClient, creds: Credentials, /, *, phone_region: str
    ) -> CustomerSource: ...


WriteShape = Callable[[CustomerRecord, CustomerRecord | None], dict[str, Any]]
"""(the record to write, the platform's current one) -> the fields a write would send, in the
platform's own shape: what `hub/write_plan.py` compares to skip writes that change nothing."""


@dataclass(frozen=True)
class OAuthFlow:
    """How a person connects the platform by OAuth's authorization-code flow."""

    scopes: tuple[str, ...]
    pkce: bool = False


@dataclass(frozen=True)
class PlatformSpec:
    platform: Platform
    settings: type[Any]
    """Its settings model (a pydantic model satisfying `PlatformSettings`)."""
    connect: Connect
    api_base: Callable[[Any], str]
    """Where its API is, from its settings (some derive it from their credentials)."""
    capabilities: frozenset[Capability]
    errors: ErrorShape
    write_shape: WriteShape
    limits: LimitSettings
    """Documented rate limits and breaker policy; `MGW_LIMITS__<PLATFORM>__…` overrides."""
    learners: Learners = field(default_factory=Learners)
    display_name: str = ""
    """Its name as people write it (HubSpot); empty: its key, capitalized."""
    color: str = ""
    """Its brand colour (a CSS colour), drawing its lines on the dashboard; empty: grey."""
    entities: str = "customers"
    """What it holds that the gateway reads, in words (the integration map)."""
    auth_method: Callable[[Any], str] = lambda settings: "API credentials"
    oauth: OAuthFlow | None = None
    """None: no flow for a person to approve (credentials are set in configuration)."""
    vault_ready: Callable[[Any], bool] = lambda settings: False
    """Whether its settings name what a vaulted connection (`mgw connect`) still needs."""
    ids_encode_pii: bool = False
    """Its record ids encode personal data (Mailchimp's: the MD5 of the email), so the graph
    shows them only to callers who may read that data."""
    simulated: Callable[[str, Mapping[str, Any]], Any] | None = None
    """Its settings pointing at the simulator under a base URL, with the demo credentials
    the simulators publish (`--simulators URL`)."""
    webhooks: WebhookSpec | None = None
    feed: Callable[[Any], Feed | None] | None = None
    """Its change feed over a connector (incremental sync); None: it is not synced."""
    """How it pushes changes (`/webhooks/<route>`); None: it does not (sync polls it)."""

    @property
    def name(self) -> str:
        return self.display_name or self.key.title()

    @property
    def key(self) -> str:
        """Its configuration key (`MGW_<KEY>__…`, `[key]` in mgw.toml)."""
        return self.platform.value

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def effective_limits(self, overrides: Mapping[str, LimitSettings]) -> LimitSettings:
        override = overrides.get(self.key)
        if override is None:
            return self.limits
        return self.limits.model_copy(update=override.model_dump(exclude_unset=True))


class MissingSetting(ValueError):
    """A platform's settings lack what its connector needs; the message names the variable."""


def secret(value: Any) -> str:
    """A `SecretStr`'s value, or "" when unset."""
    return str(value.get_secret_value()) if value is not None else ""


def oauth_client_set(options: Any) -> bool:
    """Its settings name an OAuth client (`client_id`, `client_secret`): what a vaulted
    connection needs besides the tokens the vault keeps (`vault_ready`)."""
    return bool(options.client_id and secret(options.client_secret))


def required(value: Any, variable: str) -> str:
    """`value` (a string or a `SecretStr`), or `MissingSetting` naming `variable`."""
    text = secret(value) if hasattr(value, "get_secret_value") else (value or "")
    if not text:
        raise MissingSetting(f"set {variable}")
    return str(text)
