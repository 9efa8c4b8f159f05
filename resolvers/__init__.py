"""The GraphQL edge: Strawberry types, roots, DataLoaders and schema extensions.

Resolvers translate arguments and call the hub through per-request DataLoaders; they never
see an httpx or database error, and they never talk to a connector directly.
"""

from __future__ import annotations

from resolvers.context import GatewayContext, make_context
from resolvers.schema import schema, sdl

__all__ = ["GatewayContext", "make_context", "schema", "sdl"]
