"""`/dashboard`: one static page and the JSON it polls every two seconds.

The page (static/index.html, static/dashboard.js: plain HTML and vanilla JS, no build step, no
CDN) is the same for everyone and holds no data. `/dashboard/data` does: in the `serve`
profile it answers only a caller whose bearer credential holds `admin:dlq`, the scope that
also guards the dead-letter queue in the graph; in the open `demo` profile it answers anyone.
The replay button calls the graph's `replayDeadLetter` mutation with the same credential, so
the graph's own permission checks apply.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.dashboard.data import dashboard_data
from gateway.security.authenticator import AuthenticationError, Authenticator
from gateway.settings import Settings

STATIC = Path(__file__).parent / "static"
ADMIN_SCOPE = "admin:dlq"
PAGE_HEADERS = {
    # Its own script and styles only, talking to this origin only, framed by nobody: an
    # injected script cannot run or send the operator's key elsewhere, nor can another
    # site overlay the replay button (clickjacking).
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def dashboard_routes(settings: Settings, authenticator: Authenticator) -> list[BaseRoute]:
    """The page and its data; `authenticator` is the one /graphql uses."""

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    async def script(request: Request) -> Response:
        return FileResponse(
            STATIC / "dashboard.js", media_type="text/javascript", headers=PAGE_HEADERS
        )

    async def data(request: Request) -> Response:
        services = request.app.state.services
        if settings.profile != "demo":
            try:
                principal = await authenticator.authenticate(
                    request.headers.get("authorization"), services.store
                )
            except AuthenticationError as exc:
                return _refused(401, "UNAUTHENTICATED", str(exc))
            if not principal.has(ADMIN_SCOPE):
                return _refused(403, "FORBIDDEN", f"the dashboard needs the {ADMIN_SCOPE} scope")
        body = await dashboard_data(request.app.state.monitor, services, settings.profile)
        return JSONResponse(body, headers={"cache-control": "no-store"})

    return [
        Route("/dashboard", page),
        Route("/dashboard/dashboard.js", script),
        Route("/dashboard/data", data),
    ]


def _refused(status: int, code: str, message: str) -> Response:
    headers = {"www-authenticate": 'Bearer realm="mgw"'} if status == 401 else {}
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )
