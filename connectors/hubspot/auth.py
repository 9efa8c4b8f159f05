"""HubSpot credentials. A private-app token is a static bearer token that never expires."""

from __future__ import annotations

from collections.abc import Generator

import httpx


class PrivateAppAuth(httpx.Auth):
    """`Authorization: Bearer <private-app token>` on every request."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("a HubSpot private-app token is required")
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request
