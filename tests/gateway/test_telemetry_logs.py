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
