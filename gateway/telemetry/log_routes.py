"""Log lines name routes, not URLs: a URL's query and ids carry personal data.

Two libraries log a full URL at INFO: httpx (`HTTP Request: GET https://…/query?q=SELECT …
WHERE Email IN ('ann@…')` — Salesforce's SOQL with customers' emails, Mailchimp's member
hashes in the path) and uvicorn's access log (`GET /graphql?query=…&variables=…`, an API key
in `?key=…`). `RoutesOnly` rewrites both before a record is formatted: the upstream URL
becomes its host and route template (ids as `{id}`, no query), the access log's path loses
its query string. The gateway's own lines already name routes.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.telemetry.transport import route_template


def _upstream(url: Any) -> Any:
    """An httpx URL as `scheme://host/route/{id}` (no query); anything else unchanged."""
    path = getattr(url, "path", None)
    if not isinstance(path, str):
        return url
    return f"{url.scheme}://{url.netloc.decode()}{route_template(path)}"


class RoutesOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if not isinstance(args, tuple):
            return True
        if record.name.startswith("httpx") and len(args) >= 2:
            record.args = (args[0], _upstream(args[1]), *args[2:])
        elif record.name == "uvicorn.access" and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True
