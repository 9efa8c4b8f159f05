"""HubSpot's OAuth endpoints: the authorize page (auto-approved: no user to click "Connect
app") and `POST /oauth/v1/token` (code exchange and refresh).

`GET /oauth/authorize?client_id&redirect_uri&scope&state` → 302 to
`redirect_uri?code=…&state=…`. An unknown client, a redirect URI the app did not register or a
missing scope gets an error page (HTML, or JSON when the caller accepts only JSON), 400, and no
redirect, as HubSpot shows instead of sending a code to an unknown place.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from simulators.hubspot.auth import Tokens
from simulators.hubspot.errors import correlation_id


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _error_page(request: Request, code: str, message: str) -> Response:
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        body = {"status": code, "message": message, "correlationId": correlation_id()}
        return JSONResponse(body, status_code=400)
    page = (
        "<!doctype html><html><head><title>HubSpot - Authorization error</title></head>"
        f"<body><h1>Couldn't complete the connection</h1><p id='error' data-code='{code}'>"
        f"{html.escape(message)}</p></body></html>"
    )
    return HTMLResponse(page, status_code=400)


class OAuthEndpoints:
    def __init__(self, tokens: Tokens) -> None:
        self.tokens = tokens

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if client_id != self.tokens.credentials.client_id:
            return _error_page(request, "BAD_CLIENT_ID", f"Unknown client_id {client_id!r}.")
        if not self.tokens.redirect_allowed(redirect_uri):
            message = f"The redirect_uri {redirect_uri!r} does not match the app's redirect URLs."
            return _error_page(request, "BAD_REDIRECT_URI", message)
        if not query.get("scope", "").strip():
            return _error_page(request, "BAD_SCOPES", "The authorization URL has no scope.")
        params = {"code": self.tokens.issue_code(client_id, redirect_uri)}
        if "state" in query:
            params["state"] = query["state"]
        return RedirectResponse(_with_query(redirect_uri, params), status_code=302)

    async def token(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        return JSONResponse(self.tokens.exchange(form))
