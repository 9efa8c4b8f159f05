"""Cross-site request forgery: refuse what a browser sends cross-site without a preflight.

A page on another site can make a browser send a "simple" request — GET, or POST with a body
of `text/plain`, `application/x-www-form-urlencoded` or `multipart/form-data` — with the
user's cookies and no CORS preflight. A GraphQL query over GET, or a mutation in a text/plain
body, would run. So an operation is only accepted when the browser would have had to ask
first: a POST of any other content type (`application/json`), or any request carrying a
custom header, `X-MGW-CSRF` or Apollo clients' `Apollo-Require-Preflight` /
`X-Apollo-Operation-Name` (Apollo Server's rule; any non-empty value).
"""

from __future__ import annotations

from starlette.requests import Request

from gateway.edge.refusals import EdgeRefusal

SIMPLE_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
PREFLIGHT_HEADERS = ("x-mgw-csrf", "apollo-require-preflight", "x-apollo-operation-name")


def carries_operation(request: Request) -> bool:
    """GraphiQL's page (a GET without a query) runs nothing, and needs no check; a GET with a
    persisted query's hash alone runs one."""
    return request.method != "GET" or any(
        name in request.query_params for name in ("query", "extensions")
    )


def check_csrf(request: Request) -> None:
    """Raises EdgeRefusal (400) for an operation a browser could have sent cross-site."""
    if not carries_operation(request):
        return
    if any(request.headers.get(name, "").strip() for name in PREFLIGHT_HEADERS):
        return
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type and media_type not in SIMPLE_TYPES:
        return
    raise EdgeRefusal(
        400,
        "This request has been blocked as a potential Cross-Site Request Forgery (CSRF). "
        "Send a POST with `Content-Type: application/json`, or add a non-empty "
        "`X-MGW-CSRF` (or `Apollo-Require-Preflight`) header.",
        code="CSRF_CHECK_FAILED",
    )
