"""The GraphQL edge's bounds, as settings (`MGW_EDGE__*`, or `[edge]` in mgw.toml).

Bounds on a document's size and shape and on the request body apply in every profile: no
honest client comes near them, and they keep one request from costing the gateway seconds.
The protections that change what a client may see or do — introspection, GraphiQL, field
suggestions, CSRF checks, the cost limit and per-client rate limits — are on in the `serve`
profile and off in `demo`, unless set here explicitly (docs/adr/0051-graphql-hardening.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from resolvers.extensions.operation_limits import OperationLimits

Profile = Literal["serve", "demo"]


@dataclass(frozen=True)
class RateLimit:
    requests: int
    window_seconds: float


@dataclass(frozen=True)
class EdgePolicy:
    """What one app's /graphql enforces: the settings resolved for its profile."""

    operation: OperationLimits
    graphiql: bool
    csrf: bool
    max_body_bytes: int
    rate_limit: RateLimit | None
    max_response_bytes: int = 16_777_216
    body_read_seconds: float = 10.0


class EdgeSettings(BaseModel):
    """Bounds on /graphql requests; unset switches follow the profile."""

    introspection: bool | None = Field(
        None, description="Allow `__schema`/`__type` and `_service`. Unset: demo yes, serve no."
    )
    graphiql: bool | None = Field(
        None, description="Serve GraphiQL at /graphql to browsers. Unset: demo yes, serve no."
    )
    field_suggestions: bool | None = Field(
        None,
        description='"Did you mean …?" in validation errors. Unset: demo yes, serve no.',
    )
    upstream_messages: bool | None = Field(
        None,
        description=(
            "Pass a platform's own error text to clients (else one sentence per error code; "
            "the text is logged). Unset: demo yes, serve no."
        ),
    )
    csrf_protection: bool | None = Field(
        None,
        description=(
            "Refuse requests a browser could send cross-site without a preflight: a POST must "
            "be `application/json` (or another non-simple type), a GET must carry an "
            "`X-MGW-CSRF` or `Apollo-Require-Preflight` header. Unset: on in serve."
        ),
    )
    max_depth: int = Field(12, gt=0, description="Most fields nested in one another.")
    max_aliases: int = Field(30, ge=0, description="Most aliases in one document.")
    max_tokens: int = Field(5000, gt=0, description="Most lexical tokens in one document.")
    max_root_fields: int = Field(20, gt=0, description="Most root fields in one operation.")
    max_directives: int = Field(50, ge=0, description="Most directives in one document.")
    max_directives_at_once: int = Field(
        4, ge=0, description="Most directives on one field, fragment or operation."
    )
    max_field_repeats: int = Field(
        5, gt=0, description="Most times one field (response name) repeats in a selection set."
    )
    max_cost: int | None = Field(
        250,
        gt=0,
        description=(
            "Most upstream platform calls an operation may be estimated to make "
            "(resolvers/extensions/operation_cost.py); applies in serve, or everywhere when "
            "`cost_limit_in_demo`."
        ),
    )
    cost_limit_in_demo: bool = Field(False, description="Apply `max_cost` in the demo profile.")
    max_result_objects: int = Field(
        100_000,
        gt=0,
        description=(
            "Most objects an answer may hold, the widths of its lists (`first`) multiplied "
            "through the document (resolvers/extensions/result_size.py); more: refused "
            "before it runs with RESULT_TOO_LARGE. Every profile."
        ),
    )
    body_read_seconds: float = Field(
        10.0,
        gt=0,
        description=(
            "Longest a client may take to send its request body to /graphql or a webhook "
            "route (slower: 408)."
        ),
    )
    webhook_max_body_bytes: int = Field(
        2_097_152,
        gt=0,
        description=(
            "Largest body a webhook route reads, before its signature is checked (larger: 413)."
        ),
    )
    max_response_bytes: int = Field(
        16_777_216,
        gt=0,
        description=(
            "Largest answer /graphql sends (its JSON); a larger one is replaced by a "
            "RESPONSE_TOO_LARGE error. Every profile."
        ),
    )
    max_body_bytes: int = Field(
        1_048_576, gt=0, description="Largest request body /graphql reads (larger: 413)."
    )
    rate_limit_requests: int | None = Field(
        600,
        gt=0,
        description=(
            "Requests one client (API key or JWT subject, else its address) may make to /graphql "
            "per window in serve (more: 429 with Retry-After); unset: no limit."
        ),
    )
    rate_limit_window_seconds: float = Field(60.0, gt=0, description="The rate limit's window.")
    rate_limit_in_demo: bool = Field(False, description="Apply the rate limit in demo too.")

    def policy(self, profile: Profile) -> EdgePolicy:
        serve = profile == "serve"

        def switch(value: bool | None, serve_default: bool) -> bool:
            return (serve_default if serve else not serve_default) if value is None else value

        cost_applies = serve or self.cost_limit_in_demo
        rate_applies = serve or self.rate_limit_in_demo
        return EdgePolicy(
            operation=OperationLimits(
                max_depth=self.max_depth,
                max_aliases=self.max_aliases,
                max_tokens=self.max_tokens,
                max_root_fields=self.max_root_fields,
                max_directives=self.max_directives,
                max_directives_at_once=self.max_directives_at_once,
                max_field_repeats=self.max_field_repeats,
                max_cost=self.max_cost if cost_applies else None,
                max_result_objects=self.max_result_objects,
                introspection=switch(self.introspection, serve_default=False),
                suggestions=switch(self.field_suggestions, serve_default=False),
                upstream_messages=switch(self.upstream_messages, serve_default=False),
            ),
            graphiql=switch(self.graphiql, serve_default=False),
            csrf=switch(self.csrf_protection, serve_default=True),
            max_body_bytes=self.max_body_bytes,
            max_response_bytes=self.max_response_bytes,
            body_read_seconds=self.body_read_seconds,
            rate_limit=(
                RateLimit(self.rate_limit_requests, self.rate_limit_window_seconds)
                if rate_applies and self.rate_limit_requests
                else None
            ),
        )
