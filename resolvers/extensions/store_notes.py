"""Say in the response's `extensions` when the store could not be reached and reads went live.

Reads are served from the store within their freshness bound (hub/store_reads.py); when the
store is down (PostgreSQL unreachable) they fall back to the platforms, still answering, and
the client learns why the answer took the live path (and spent quota):
`"extensions": {"store": {"available": false, "servedLive": true, ...}}`.
"""

from __future__ import annotations

from typing import Any

from strawberry.extensions import SchemaExtension

from resolvers.context import GatewayContext

NOTE = "the store could not be reached, so customers were read live from the platforms"


class StoreNotes(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if isinstance(context, GatewayContext) and context.store_unavailable:
            return {"store": {"available": False, "servedLive": True, "message": NOTE}}
        return {}
