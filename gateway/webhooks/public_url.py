"""The URL a platform called, which HubSpot's v3 signature covers.

Behind a reverse proxy that terminates TLS (or rewrites the host), the URL the gateway sees
(`http://10.0.0.5:8000/webhooks/hubspot`) is not the one HubSpot signed
(`https://hooks.example.com/webhooks/hubspot`), so every delivery would fail its signature.
The signed URL is therefore, in order:

- `public_url` + the path and query, when the setting is given (the gateway's root as the
  platforms reach it, path prefix included);
- else, for a request whose peer is one of `trusted_proxies`, the scheme and host that proxy
  forwarded (`X-Forwarded-Proto`, `X-Forwarded-Host`; the first of a list);
- else the URL as received. Forwarded headers from anyone else are ignored: a client cannot
  choose the URL its signature is checked against.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import Request

from gateway.proxy_settings import Network, WebhookSettings


def _trusted(peer: str | None, proxies: Sequence[Network]) -> bool:
    if not peer or not proxies:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def _first(value: str | None) -> str | None:
    first = (value or "").split(",")[0].strip()
    return first or None


def signed_url(request: Request, settings: WebhookSettings) -> str:
    """The URL the caller signed (module docstring)."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if settings.public_url:
        return settings.public_url + path
    peer = request.client.host if request.client else None
    if _trusted(peer, settings.networks()):
        scheme = _first(request.headers.get("x-forwarded-proto")) or request.url.scheme
        host = _first(request.headers.get("x-forwarded-host")) or request.url.netloc
        return f"{scheme}://{host}{path}"
    return str(request.url)
