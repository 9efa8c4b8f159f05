"""One typed settings object, read from `MGW_*` environment variables and an optional mgw.toml.

Precedence, highest first: arguments given in code (the CLI's flags), environment variables,
`mgw.toml` in the working directory (or the file `MGW_CONFIG` names), then the defaults here.
Nested values use `__` in variables: `MGW_HUBSPOT__PRIVATE_APP_TOKEN=pat-…`, and tables in
TOML: `[hubspot] private_app_token = "pat-…"`.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from cache.rate_rules import LimitSettings
from canonical_schema import DEFAULT_REGION, Platform
from connectors.registry import platforms, spec_of, specs
from gateway import settings_checks
from gateway.alerts.settings import AlertSettings
from gateway.edge.settings import EdgeSettings
from gateway.merge_settings import ConfigError as ConfigError  # re-exported: raised by every check
from gateway.merge_settings import MergeSettings as MergeSettings
from gateway.proxy_settings import WebhookSettings
from gateway.security.settings import SecuritySettings
from hub.graph import GraphSettings
from hub.store_reads import ReadSettings
from sync_jobs.settings import JobSettings
from sync_jobs.sync_settings import SyncSettings


def default_data_dir() -> Path:
    """$XDG_DATA_HOME/mgw, else ~/.local/share/mgw: one place, whatever the working directory."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "mgw"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MGW_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    host: str = Field("127.0.0.1", description="Address the gateway listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port the gateway listens on.")
    admin_listen: str | None = Field(
        None,
        description=(
            "host:port of the admin listener (e.g. 127.0.0.1:8088), serving /metrics, "
            "/health/integrations, /health/alerts and the probes to whoever reaches it; keep it "
            "private. Unset: none, and in the serve profile those routes need an admin scope."
        ),
    )
    platforms: str = Field(
        "all",
        description=(
            "Platforms to connect: `all` (every configured one) or a comma-separated list such "
            "as `hubspot,shopify` (each must be configured)."
        ),
    )
    profile: Literal["serve", "demo"] = Field(
        "serve",
        description=(
            "`serve`: every protection on (client auth, GraphQL hardening, no introspection or "
            "GraphiQL unless enabled). `demo`: open, for `mgw demo` and local exploration."
        ),
    )
    data_dir: Path = Field(
        default_factory=lambda: default_data_dir(),
        json_schema_extra={"doc_default": "`$XDG_DATA_HOME/mgw` or `~/.local/share/mgw`"},
        description=(
            "Where the default SQLite store (mgw.db) lives, whatever the working directory: "
            "$XDG_DATA_HOME/mgw, else ~/.local/share/mgw. `mgw config check` prints it."
        ),
    )
    database_url: str = Field(
        "",
        json_schema_extra={"doc_default": "SQLite: `sqlite+aiosqlite:///<MGW_DATA_DIR>/mgw.db`"},
        description=(
            "SQLAlchemy async URL of the durable store, e.g. postgresql+asyncpg://user:pw@host/db "
            "(postgres:// and postgresql:// are read as that). Unset: SQLite at "
            "MGW_DATA_DIR/mgw.db."
        ),
    )
    redis_url: str | None = Field(
        None, description="Redis URL for shared cache and limits; unset keeps them in memory."
    )
    id_key: SecretStr | None = Field(
        None,
        description=(
            "Secret (16+ bytes) that customer ids are minted with. Unset: one is generated on "
            "first start and kept in the database. Changing it changes every customer id."
        ),
    )
    secret_key: SecretStr | None = Field(
        None, description="Key the credential vault encrypts with (docs/adr/0009-vault.md)."
    )
    secret_key_previous: SecretStr = Field(
        SecretStr(""), description="Older vault keys, comma-separated, until `mgw secrets rotate`."
    )
    default_phone_region: str = Field(
        DEFAULT_REGION,
        description=(
            "ISO 3166 region (US, GB, DE, …) a phone number written without a country code is "
            "read in, in every platform's records and in upsertCustomer; numbers are kept in "
            "E.164 (+15557334374)."
        ),
    )
    merge: MergeSettings = Field(default_factory=MergeSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    graph: GraphSettings = Field(default_factory=GraphSettings)
    read: ReadSettings = Field(
        default_factory=ReadSettings,
        description="Reads served from the store within a freshness bound (docs/adr/0066).",
    )
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    security: SecuritySettings = Field(
        default_factory=SecuritySettings,
        description="Client auth on /graphql in the serve profile (docs/adr/0050-client-auth.md).",
    )
    webhooks: WebhookSettings = Field(
        default_factory=WebhookSettings,
        description="The public URL webhooks are signed for, and the proxies to believe.",
    )
    edge: EdgeSettings = Field(
        default_factory=EdgeSettings,
        description="Bounds on /graphql requests (docs/adr/0051-graphql-hardening.md).",
    )
    limits: dict[str, LimitSettings] = Field(
        default_factory=dict,
        description=(
            "Per-platform rate-limit overrides over the documented defaults, e.g. "
            "MGW_LIMITS__HUBSPOT__REQUESTS=190 for a higher HubSpot tier."
        ),
    )
    cache: Literal["off", "memory", "redis"] | None = Field(
        None,
        description=(
            "Entity cache: `memory` (this process), `redis` (shared by replicas; needs "
            "MGW_REDIS_URL) or `off`. Unset: redis when MGW_REDIS_URL is set, else memory."
        ),
    )
    cache_ttl_seconds: float = Field(
        60.0,
        ge=0,
        description=(
            "How long a cached customer is fresh (a request's `maxStaleness` may ask for less)."
        ),
    )
    cache_missing_ttl_seconds: float = Field(
        10.0, ge=0, description="How long 'no platform holds this email' is remembered."
    )
    cache_stale_seconds: float = Field(
        3600.0,
        ge=0,
        description="How long after expiry a customer may answer if every platform fails.",
    )
    cache_max_bytes: int = Field(64 * 1024 * 1024, gt=0, description="Budget of the memory cache.")
    response_cache_seconds: float = Field(
        0.0,
        ge=0,
        description="Answer a repeated query (same operation, variables and caller's scopes) "
        "from this process's memory for this long; 0 (the default) never does. Answers may be "
        "that stale, never staler than the request's `maxStaleness` (hub/response_cache.py).",
    )
    data_scope: str = Field(
        "default", min_length=1, description="Namespace of cache keys, so deployments never mix."
    )
    otlp_endpoint: str | None = Field(
        None,
        description=(
            "OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces: an alias of the "
            "standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, which works too, as do "
            "OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME (default mgw) and "
            "OTEL_RESOURCE_ATTRIBUTES."
        ),
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="`json`: one object a line; `text`: readable lines (the demo)."
    )
    log_level: str = Field("info", description="debug, info, warning or error.")
    owners: dict[str, str] = Field(
        default_factory=dict,
        description='Who owns each integration (the integration map), e.g. {hubspot = "growth"}.',
    )
    abandoned_checkout_seconds: float = Field(
        3600.0, ge=0, description="How long a Shopify checkout sits idle before it is abandoned."
    )
    http_timeout_seconds: float = Field(
        10.0, gt=0, description="Per-request timeout for every upstream platform call."
    )
    operation_deadline_seconds: float | None = Field(
        5.0,
        gt=0,
        description="Longest a GraphQL operation waits on platforms (limits, retries, calls).",
    )
    # One section per registered platform (`MGW_<PLATFORM>__…`, `[platform]` in mgw.toml), its
    # model from the platform's spec (connectors/<platform>/spec.py).
    for _spec in specs():
        __annotations__[_spec.key] = _spec.settings
        vars()[_spec.key] = Field(default_factory=_spec.settings)
    del _spec

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return settings_checks.log_level(value)

    @field_validator("default_phone_region")
    @classmethod
    def _phone_region(cls, value: str) -> str:
        return settings_checks.phone_region(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        return settings_checks.redis_url(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return settings_checks.database_url(value)

    @field_validator("otlp_endpoint")
    @classmethod
    def _otlp_endpoint(cls, value: str | None) -> str | None:
        return settings_checks.http_url(value)

    @field_validator("secret_key", "id_key")
    @classmethod
    def _keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            for key in value.get_secret_value().split(","):
                settings_checks.vault_key(key.strip())
        return value

    @model_validator(mode="after")
    def _store_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir.expanduser() / 'mgw.db'}"
        return self

    @field_validator("admin_listen")
    @classmethod
    def _admin_listen(cls, value: str | None) -> str | None:
        from gateway.admin import parse_listen

        if value:
            parse_listen(value)
        return value or None

    def admin_address(self) -> tuple[str, int] | None:
        """Where the admin listener listens; ConfigError when it would share the main port."""
        from gateway.admin import parse_listen

        if not self.admin_listen:
            return None
        host, port = parse_listen(self.admin_listen)
        if port == self.port:
            raise ConfigError(
                f"MGW_ADMIN_LISTEN {self.admin_listen} uses MGW_PORT {self.port}: "
                "give the admin listener a port of its own"
            )
        return host, port

    @field_validator("limits")
    @classmethod
    def _limits_name_platforms(cls, value: dict[str, LimitSettings]) -> dict[str, LimitSettings]:
        known = {platform.value for platform in platforms()}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"limits for unknown platform(s) {unknown}; known: {sorted(known)}")
        return value

    @field_validator("platforms")
    @classmethod
    def _known_platforms(cls, value: str) -> str:
        value = value.strip().lower()
        if value == "all":
            return value
        names = [name.strip() for name in value.split(",") if name.strip()]
        if not names:
            raise ValueError("name at least one platform, or `all`")
        known = {platform.value for platform in platforms()}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise ValueError(f"unknown platform(s) {unknown}; known: {sorted(known)}")
        return ",".join(names)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        named = os.environ.get("MGW_CONFIG")
        if named and not Path(named).is_file():
            raise ConfigError(
                f"MGW_CONFIG={named}: no such file; point it (or `--config`) at your mgw.toml, "
                "or unset it to read ./mgw.toml when present"
            )
        toml_file = named or "mgw.toml"
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    def secret_values(self) -> list[str]:
        """Every secret this configuration holds, for log redaction."""
        found: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, SecretStr):
                found.extend(v for v in value.get_secret_value().split(",") if v)
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(getattr(value, name))
            elif isinstance(value, dict):
                for item in value.values():
                    walk(item)

        walk(self)
        return found

    def vault_keys(self) -> list[str]:
        """The vault's keys, newest first; ConfigError when none is set."""
        if self.secret_key is None or not self.secret_key.get_secret_value():
            raise ConfigError("set MGW_SECRET_KEY (a Fernet key or a 16+ character passphrase)")
        previous = [k.strip() for k in self.secret_key_previous.get_secret_value().split(",")]
        return [self.secret_key.get_secret_value(), *(k for k in previous if k)]

    def cache_backend(self) -> Literal["off", "memory", "redis"]:
        backend = self.cache or ("redis" if self.redis_url else "memory")
        if backend == "redis" and not self.redis_url:
            raise ConfigError("MGW_CACHE=redis needs MGW_REDIS_URL")
        return backend

    def platform_settings(self, platform: Platform) -> Any:
        """The platform's settings section; its model's defaults for a platform registered
        after these settings were defined (a test's)."""
        spec = spec_of(platform)
        found = getattr(self, spec.key, None)
        return found if found is not None else spec.settings()

    def connected_platforms(self, also: Collection[Platform] = ()) -> tuple[Platform, ...]:
        """The platforms to connect; raises ConfigError naming what to set when one can't be.
        `also`: platforms whose tokens are in the vault (`mgw connect`), so connectable."""
        available = platforms()
        if self.platforms == "all":
            chosen = [p for p in available if self.platform_settings(p).configured or p in also]
            if not chosen:
                needs = "; ".join(self.platform_settings(p).missing for p in available)
                raise ConfigError(
                    f"no platform is configured: set {needs} — or pass --simulators URL to use "
                    "the platform simulators"
                )
            return tuple(chosen)
        chosen = [Platform(name) for name in self.platforms.split(",")]
        for platform in chosen:
            if platform not in available:
                raise ConfigError(f"{platform.value}: this version has no connector for it yet")
            if not self.platform_settings(platform).configured and platform not in also:
                raise ConfigError(
                    f"{platform.value} is selected but has no credentials: set "
                    f"{self.platform_settings(platform).missing} (README.md#configuration)"
                )
        return tuple(chosen)
