"""Log lines carry the correlation id and never a secret."""

from __future__ import annotations

import io
import json
import logging

from gateway.telemetry.logs import CorrelationFilter, JsonFormatter, RedactingFilter
from gateway.telemetry.tracing import configure_tracing, tracer


def capture(*secrets: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(CorrelationFilter())
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"test.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_secrets_and_credential_shapes_never_reach_a_log_line() -> None:
    logger, stream = capture("pat-sim-hubspot-0001")
    logger.info("calling with %s", "pat-sim-hubspot-0001")
    logger.info("Authorization: Bearer eyJhbGciOi.abc-def")
    logger.info("POST token: grant_type=refresh_token&refresh_token=rt-123&client_secret=cs-9")
    logger.info('answer {"access_token": "at-777", "expires_in": 1800}')
    try:
        raise RuntimeError("failed with pat-sim-hubspot-0001")
    except RuntimeError:
        logger.exception("boom")
    written = stream.getvalue()
    for secret in ("pat-sim-hubspot-0001", "eyJhbGciOi", "rt-123", "cs-9", "at-777"):
        assert secret not in written
    assert written.count("[REDACTED]") >= 6
    assert '"expires_in": 1800' in written.replace("\\", "")


def test_each_line_is_json_with_the_trace_id_as_correlation_id() -> None:
    configure_tracing()
    logger, stream = capture()
    with tracer().start_as_current_span("operation") as span:
        logger.warning("inside")
        trace_id = format(span.get_span_context().trace_id, "032x")
    logger.warning("outside")
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["correlation_id"] == trace_id
    assert inside["level"] == "warning"
    assert outside["correlation_id"] == "-"


async def test_platform_and_operation_are_fields_not_words_in_the_message() -> None:
    from resolvers import schema
    from sync_jobs import sync_runner

    logger, stream = capture()
    logging.getLogger(sync_runner.__name__).handlers[:] = logger.handlers
    try:
        sync_logger = logging.getLogger(sync_runner.__name__)
        sync_logger.propagate, sync_logger.level = False, logging.DEBUG
        sync_logger.warning(
            "sync failed: %s",
            "answered 503",
            extra=sync_runner._fields(sync_runner.Platform.SHOPIFY),
        )  # the shape of every sync line
        operations = logging.getLogger("mgw.graphql")
        operations.handlers[:], operations.propagate = logger.handlers, False
        operations.setLevel(logging.INFO)
        await schema.execute("query Ping { __typename }")
    finally:
        for name in (sync_runner.__name__, "mgw.graphql"):
            logging.getLogger(name).handlers[:] = []
            logging.getLogger(name).propagate = True
    sync_line, operation_line = (json.loads(line) for line in stream.getvalue().splitlines())
    assert sync_line["platform"] == "shopify"
    assert sync_line["operation"] == "sync"
    assert sync_line["message"] == "sync failed: answered 503"
    assert operation_line["operation"] == "query Ping"
    assert "Ping" not in operation_line["message"]
