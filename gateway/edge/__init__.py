"""The GraphQL HTTP edge: what /graphql refuses before the graph sees a request.

`settings` holds the bounds (`MGW_EDGE__*`) and resolves them per profile; `guard` applies the
HTTP ones (CSRF, rate limit, body size) in that order; `refusals` answers each as a GraphQL
error with its status code. Bounds on the operation itself (depth, aliases, tokens, cost…)
are a schema extension: resolvers/extensions/operation_limits.py.
"""

from __future__ import annotations

from gateway.edge.guard import EdgeGuard
from gateway.edge.refusals import EdgeRefusal, error_response
from gateway.edge.settings import EdgePolicy, EdgeSettings

__all__ = ["EdgeGuard", "EdgePolicy", "EdgeRefusal", "EdgeSettings", "error_response"]
