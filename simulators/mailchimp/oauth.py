"""Mailchimp's OAuth 2 flow, as `login.mailchimp.com` runs it (here under `/mailchimp/oauth2`).

- `GET /oauth2/authorize?response_type=code&client_id&redirect_uri&state`: the user approves at
  once; 302 to `redirect_uri?code=…&state=…`.
- `POST /oauth2/token` (form: grant_type=authorization_code, client_id, client_secret,
  redirect_uri, code) -> `{access_token, expires_in: 0, scope: null}`: the token never expires
  and there is no refresh token.
- `GET /oauth2/metadata` with `Authorization: OAuth TOKEN` -> `{dc, role, accountname, user_id,
  login{…}, login_url, api_endpoint}`; `api_endpoint` is where the account's API lives (here:
  this simulator's `/mailchimp`).
"""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from simulators.mailchimp.auth import Authenticator

_LOGIN = {
    "email": "owner@sim-mailchimp.example",
    "avatar": None,
    "login_id": 81726354,
    "login_name": "simowner",
    "login_email": "owner@sim-mailchimp.example",
}


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


class OAuthEndpoints:
    def __init__(self, auth: Authenticator) -> None:
        self.auth = auth
        self._codes: dict[str, str] = {}  # code -> redirect_uri it was issued for

    async def authorize(self, request: Request) -> Response:
        query = request.query_params
        creds = self.auth.credentials
        if query.get("response_type") != "code":
            return _oauth_error("unsupported_response_type", "response_type must be code")
        if query.get("client_id") != creds.client_id:
            return _oauth_error("invalid_client", "Invalid client_id")
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return _oauth_error("invalid_request", "Invalid redirect_uri")
        code = secrets.token_hex(16)
        self._codes[code] = redirect_uri
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{joiner}{urlencode(params)}", status_code=302)

    async def token(self, request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        creds = self.auth.credentials
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type", "Invalid grant_type")
        if form.get("client_id") != creds.client_id or not secrets.compare_digest(
            form.get("client_secret", ""), creds.client_secret
        ):
            return _oauth_error("invalid_client", "Invalid client credentials", 401)
        issued_for = self._codes.pop(form.get("code", ""), None)
        if issued_for is None:
            return _oauth_error("invalid_grant", "Invalid authorization code")
        if form.get("redirect_uri") != issued_for:
            return _oauth_error("invalid_grant", "redirect_uri does not match")
        token = self.auth.issue_token()
        return JSONResponse({"access_token": token, "expires_in": 0, "scope": None})

    async def metadata(self, request: Request) -> Response:
        if self.auth.oauth_account(request.headers.get("authorization")) is None:
            return _oauth_error("invalid_token", "Invalid or missing OAuth token", 401)
        here = str(request.url.replace(query="", fragment=""))
        api_endpoint = here.removesuffix("/oauth2/metadata")
        return JSONResponse(
            {
                "dc": self.auth.credentials.dc,
                "role": "owner",
                "accountname": "Sim Outfitters",
                "user_id": 81726354,
                "login": _LOGIN,
                "login_url": "https://login.mailchimp.com",
                "api_endpoint": api_endpoint,
            }
        )
