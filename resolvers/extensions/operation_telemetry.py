"""One span and one measurement per GraphQL operation.

The span (`query customer`, `mutation upsertCustomer`) is a child of the HTTP request's server
span, so its trace id — the correlation id — is the one in the `X-Correlation-ID` header; the
operation's context takes it as its `correlation_id`, which errors (`extensions.correlationId`)
and accepted writes (and so dead letters) carry. Latency and outcome go to
`mgw_operation_seconds` / `mgw_operations_total`, and to `RECENT`, the window the alerts take
their error rate and p95 from (gateway/alerts/).

Operation names come from clients, so only the first `MAX_NAMES` well-formed ones become label
values; the rest count as `other`.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Status, StatusCode
from prometheus_client import Counter, Histogram
from strawberry.extensions import SchemaExtension

OPERATION_SECONDS = Histogram(
    "mgw_operation_seconds",
    "GraphQL operation latency, by operation name and type.",
    ["operation", "type"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OPERATIONS = Counter(
    "mgw_operations_total",
    "GraphQL operations, by name, type and outcome (ok, partial: data with errors, error).",
    ["operation", "type", "outcome"],
)
CLIENT_CODES = frozenset(
    {
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
        "FORBIDDEN",
        "UNAUTHENTICATED",
        "PERSISTED_QUERY_NOT_FOUND",
        "IDEMPOTENCY_CONFLICT",
        "NOT_FOUND",
    }
)
"""Codes that say the client asked wrongly: they do not count toward the error-rate alert."""
MAX_NAMES = 200
logger = logging.getLogger("mgw.graphql")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_names: set[str] = set()


@dataclass(frozen=True)
class Sample:
    at: float
    seconds: float
    failed: bool


class OperationWindow:
    """The operations of the last `span` seconds, for error rate and p95 (process-wide, like
    the Prometheus registry)."""

    def __init__(self, span: float = 3600.0, limit: int = 50_000) -> None:
        self.span = span
        self._samples: deque[Sample] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, seconds: float, failed: bool) -> None:
        with self._lock:
            self._samples.append(Sample(time.monotonic(), seconds, failed))

    def recent(self, within: float | None = None) -> list[Sample]:
        since = time.monotonic() - (self.span if within is None else within)
        with self._lock:
            while self._samples and self._samples[0].at < time.monotonic() - self.span:
                self._samples.popleft()
            return [s for s in self._samples if s.at >= since]


RECENT = OperationWindow()


def trace_id() -> str | None:
    """The current trace id as 32 hex digits, or None outside any trace."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid else None


def _label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if name in _names:
        return name
    if _NAME.match(name) and len(_names) < MAX_NAMES:
        _names.add(name)
        return name
    return "other"


_TRACER = trace.get_tracer("mgw")  # a proxy until the provider is set (once per process)
OPERATION_KEY = "mgw.operation"  # in OpenTelemetry's context, so every layer's logs see it


class OperationTelemetry(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        started = time.perf_counter()
        with _TRACER.start_as_current_span("graphql.operation") as span:
            current = trace_id()
            if current is not None and hasattr(context.context, "correlation_id"):
                context.context.correlation_id = current
            yield
            seconds = time.perf_counter() - started
            name = _label(context.operation_name)
            try:
                kind = context.operation_type.value
            except Exception:  # the document did not parse: no type to tell
                kind = "unknown"
            result = context.result
            errors = getattr(result, "errors", None)
            for error in errors or []:  # refusals made before ErrorCodes saw them too
                _name(error)
            outcome = "ok"
            if errors:
                outcome = "partial" if getattr(result, "data", None) else "error"
            span.update_name(f"{kind} {name}")
            span.set_attributes(
                {
                    "graphql.operation.name": name,
                    "graphql.operation.type": kind,
                    "mgw.outcome": outcome,
                }
            )
            if outcome == "error" and errors:
                span.set_status(Status(StatusCode.ERROR, str(errors[0].message)[:200]))
            OPERATION_SECONDS.labels(name, kind).observe(seconds)
            OPERATIONS.labels(name, kind, outcome).inc()
            RECENT.add(seconds, _server_failed(errors or []))
            fields = {"operation": f"{kind} {name}"}
            logger.info("%s in %.1f ms", outcome, 1000 * seconds, extra=fields)

    # A refusal raised by a later extension's parse, validate or execute hook skips the
    # operation's result (and ErrorCodes): it is named with the trace id on its way out.
    def on_parse(self) -> Iterator[None]:
        yield from _naming_refusals()

    def on_validate(self) -> Iterator[None]:
        yield from _naming_refusals()

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        try:
            kind = context.operation_type.value
        except Exception:  # not parsed: no operation to name
            kind = "unknown"
        label = f"{kind} {_label(context.operation_name)}"
        token = otel_context.attach(otel_context.set_value(OPERATION_KEY, label))
        try:
            yield from _naming_refusals()
        finally:
            otel_context.detach(token)


def record_cached(operation: str | None, seconds: float) -> None:
    """A query /graphql answered from the response cache before the pipeline (no span of its
    own: the HTTP request's span holds it), counted as the pipeline counts an `ok` query."""
    name = _label(operation)
    OPERATION_SECONDS.labels(name, "query").observe(seconds)
    OPERATIONS.labels(name, "query", "ok").inc()
    RECENT.add(seconds, False)
    logger.info("ok (kept) in %.1f ms", 1000 * seconds, extra={"operation": f"query {name}"})


def current_operation() -> str | None:
    """The GraphQL operation this code runs for (`query customer`), for log lines' fields."""
    value = otel_context.get_value(OPERATION_KEY)
    return value if isinstance(value, str) else None


def _naming_refusals() -> Iterator[None]:
    try:
        yield
    except GraphQLError as error:
        _name(error)
        raise


def _name(error: GraphQLError) -> None:
    """Give `error` the current trace id as `extensions.correlationId`, unless it has one."""
    current = trace_id()
    if current is not None and "correlationId" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), "correlationId": current}


def _server_failed(errors: list[Any]) -> bool:
    """True when an error is the gateway's or a platform's fault, not the client's."""
    return any((e.extensions or {}).get("code") not in CLIENT_CODES for e in errors)
