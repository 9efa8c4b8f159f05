"""GraphiQL at /graphql, served from this package, with sample queries preloaded.

The page (graphiql_assets/page.html) loads React and GraphiQL from /graphiql/, files shipped in
the wheel (graphiql_assets/README.md: versions, checksums, licences), so it works offline,
air-gapped and under a strict CSP. It is titled "Marketing Graph Gateway", leaves the Apollo
Federation plumbing out of the Docs pane, and opens on the sample queries as one document of
named operations (the run button asks which to run). `mgw demo` fills them with emails from the
seeded data (gateway/demo.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

ASSETS = Path(__file__).parent / "graphiql_assets"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}
SERVED = frozenset(
    {
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
    }
)


def operation_name(title: str) -> str:
    """`"One customer, for a personalization engine:"` -> `OneCustomer`."""
    words = re.findall(r"[A-Za-z]+", title.split(",")[0].split("(")[0])
    return "".join(word.title() for word in words) or "Sample"


def sample_document(samples: Sequence[tuple[str, str]]) -> str:
    """The samples as one document: each a commented, named operation."""
    parts = ["# Sample queries: put the cursor in one and press Ctrl-Enter to run it."]
    for title, query in samples:
        body = query.strip()
        named = f"query {operation_name(title)} {body}" if body.startswith("{") else body
        parts.append(f"# {title}\n{named}")
    return "\n\n".join(parts) + "\n"


def graphiql_html(samples: Sequence[tuple[str, str]]) -> str:
    """The GraphiQL page, opening on `samples`."""
    document = json.dumps(sample_document(samples)).replace("</", "<\\/")
    page = (ASSETS / "page.html").read_text(encoding="utf-8")
    return page.replace("__SAMPLE_QUERIES__", document, 1)


def graphiql_routes() -> list[BaseRoute]:
    """/graphiql/<file>: the page's scripts and stylesheet, cacheable (their names are pinned
    to one version of each)."""

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in SERVED:
            return Response("Not Found", status_code=404, media_type="text/plain")
        path = ASSETS / name
        return FileResponse(
            path,
            media_type=_MEDIA_TYPES[path.suffix],
            headers={"cache-control": "public, max-age=86400"},
        )

    return [Route("/graphiql/{name}", asset)]
