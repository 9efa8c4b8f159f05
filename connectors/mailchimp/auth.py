"""Mailchimp credentials, and where the account's API lives.

- API key: HTTP Basic with any user name and the key as password. The key ends in `-<dc>`, the
  data centre its account lives in, so the API base is `https://<dc>.api.mailchimp.com/3.0`.
- OAuth 2 access token: `Authorization: Bearer <token>`. It never expires and there is no
  refresh token; the data centre comes from `GET https://login.mailchimp.com/oauth2/metadata`
  (`api_endpoint`), since the token does not carry it.
"""

from __future__ import annotations

import httpx

from canonical_schema import Platform
from connectors.auth import StaticBearerAuth, Token
from connectors.exceptions import AuthError, InvalidUpstreamDataError
from connectors.http import json_body, send
from connectors.oauth import token_request

PLATFORM = Platform.MAILCHIMP
API_VERSION = "3.0"
LOGIN = "https://login.mailchimp.com"


def api_key_auth(api_key: str) -> httpx.Auth:
    """HTTP Basic `anystring:<key>`."""
    data_centre(api_key)  # a key without its data centre cannot be used anywhere
    return httpx.BasicAuth("anystring", api_key)


def oauth_auth(access_token: str) -> httpx.Auth:
    """A bearer OAuth token; Mailchimp's never expire, so nothing refreshes it."""
    return StaticBearerAuth(access_token)


def data_centre(api_key: str) -> str:
    """`us21` of `…-us21`; a `ValueError` for a key without one."""
    key, _, dc = api_key.strip().rpartition("-")
    if not key or not dc.isalnum():
        raise ValueError("a Mailchimp API key ends in -<data centre>, e.g. …-us21")
    return dc


def base_url_for_key(api_key: str) -> str:
    """The real API base for a key: `https://<dc>.api.mailchimp.com/3.0`."""
    return f"https://{data_centre(api_key)}.api.mailchimp.com/{API_VERSION}"


async def exchange_code(
    http: httpx.AsyncClient,
    *,
    code: str,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    token_url: str = f"{LOGIN}/oauth2/token",
) -> Token:
    """Trade an authorization code for the account's (non-expiring) access token."""
    return await token_request(
        http,
        PLATFORM,
        token_url,
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        client_id=client_id,
        client_secret=client_secret,
    )


async def base_url_for_token(
    http: httpx.AsyncClient, access_token: str, *, metadata_url: str = f"{LOGIN}/oauth2/metadata"
) -> str:
    """The API base of the account an OAuth token belongs to (`api_endpoint` + `/3.0`)."""
    request = http.build_request(
        "GET", metadata_url, headers={"Authorization": f"OAuth {access_token}"}
    )
    response = await send(http, PLATFORM, request)
    body = json_body(PLATFORM, response)
    if response.status_code in (401, 403):
        raise AuthError(PLATFORM, "the OAuth token was refused", status=response.status_code)
    endpoint = body.get("api_endpoint") if isinstance(body, dict) else None
    if not response.is_success or not isinstance(endpoint, str) or not endpoint:
        raise InvalidUpstreamDataError(
            PLATFORM,
            "OAuth metadata answered without an `api_endpoint`",
            status=response.status_code,
            endpoint=f"GET {request.url.path}",
        )
    return f"{endpoint.rstrip('/')}/{API_VERSION}"
