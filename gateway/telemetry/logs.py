"""Logs: one JSON object a line in production, readable lines in the demo; every line carries
the correlation id, and no line carries a secret.

Redaction replaces every configured secret value (all `SecretStr` settings) and anything shaped
like a credential (`Bearer …`, `access_token=…`, `"client_secret": "…"`) before a record is
formatted, traceback text included.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from gateway.telemetry.tracing import correlation_id

REDACTED = "[REDACTED]"
_SHAPES = re.compile(
    r"(?i)(bearer\s+)[\w.~+/=-]+"
    r"|((?:access_token|refresh_token|client_secret|api_key|apikey|password|code)=)[^&\s\"']+"
    r"|(\"(?:access_token|refresh_token|client_secret|api_key|password)\"\s*:\s*\")[^\"]+"
)


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SHAPES.sub(lambda m: (m.group(1) or m.group(2) or m.group(3)) + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class CorrelationFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "-"),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line)


def configure_logging(
    level: str = "INFO", *, json_lines: bool = True, secrets: Iterable[str] = ()
) -> None:
    """Route every logger (uvicorn's too) through one redacting, correlating handler."""
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.addFilter(RedactingFilter(secrets))
    readable = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(readable))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
