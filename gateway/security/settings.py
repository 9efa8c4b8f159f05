"""Client-auth settings: `[security]` in mgw.toml, `MGW_SECURITY__*` in the environment.

API keys need no configuration (they live in the durable store: `mgw keys create`). JWT bearer
tokens are accepted once a verification key is set: a shared secret (HS256) or a JWKS URL
(RS256/ES256); then `iss` and `aud` are checked when configured, `exp` always.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr, field_validator

ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"})


class SecuritySettings(BaseModel):
    jwt_secret: SecretStr | None = Field(
        None,
        description=(
            "Shared key JWTs are signed with (HS256); at least 32 characters. Unset: no "
            "HS256 tokens are accepted."
        ),
    )
    jwks_url: str | None = Field(
        None,
        description=(
            "Where the identity provider publishes its public keys (JWKS), e.g. "
            "https://idp.example.com/.well-known/jwks.json; tokens signed with them are accepted."
        ),
    )
    jwt_algorithms: list[str] = Field(
        default_factory=lambda: ["RS256", "ES256"],
        description="Algorithms accepted for JWKS-verified tokens (HS256 goes with jwt_secret).",
    )
    jwt_issuer: str | None = Field(
        None, description="Required `iss` of every JWT; unset: not checked."
    )
    jwt_audience: str | None = Field(
        None, description="Required `aud` of every JWT (e.g. `mgw`); unset: not checked."
    )
    jwt_leeway_seconds: int = Field(
        30, ge=0, le=300, description="Clock skew allowed on `exp` and `nbf`."
    )
    jwks_cache_seconds: float = Field(
        300.0, ge=0, description="How long fetched JWKS keys are used before fetching again."
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        description=(
            "How long a verified API key is remembered by a process, sparing the store a read "
            "per request. A revoked key stops working within this time."
        ),
    )

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and 0 < len(value.get_secret_value()) < 32:
            raise ValueError("jwt_secret must be at least 32 characters (256 bits for HS256)")
        return value

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - ASYMMETRIC_ALGORITHMS)
        if unknown:
            raise ValueError(
                f"jwt_algorithms {unknown} are not public-key algorithms; known: "
                f"{sorted(ASYMMETRIC_ALGORITHMS)} (HS256 is used with jwt_secret)"
            )
        return value

    @property
    def jwt_enabled(self) -> bool:
        return bool(self.jwks_url) or bool(self.jwt_secret and self.jwt_secret.get_secret_value())
