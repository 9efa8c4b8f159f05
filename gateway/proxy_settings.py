"""Where the gateway is reached from: its public URL, and the reverse proxies whose forwarded
headers are believed (`gateway/webhooks/public_url.py` uses both for HubSpot's signatures;
`mgw serve` gives the proxies to uvicorn)."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, Field, field_validator

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class WebhookSettings(BaseModel):
    public_url: str | None = Field(
        None,
        description=(
            "The gateway's base URL as the platforms call it, path prefix included "
            "(https://hooks.example.com). HubSpot signs the URL it called; behind a proxy "
            "that terminates TLS, set this or every HubSpot webhook fails its signature."
        ),
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description=(
            "Addresses or networks (CIDR) of reverse proxies whose X-Forwarded-Proto, "
            "-Host and -For are believed; from anyone else they are ignored."
        ),
    )

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip().rstrip("/")
        scheme, _, rest = url.partition("://")
        if scheme not in ("http", "https") or not rest or "?" in rest or "#" in rest:
            raise ValueError(f"must be an absolute http(s) URL without a query, not {value!r}")
        return url

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: object) -> object:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list):
            return items
        found = [str(item).strip() for item in items if str(item).strip()]
        for item in found:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError as exc:
                raise ValueError(f"{item!r} is not an IP address or network") from exc
        return found

    def networks(self) -> list[Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.trusted_proxies]
