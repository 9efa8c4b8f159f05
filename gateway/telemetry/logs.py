"""Logs: one JSON object a line in production, readable lines in the demo; every line carries
the correlation id, and no line carries a secret.

Redaction replaces every configured secret value (all `SecretStr` settings) and anything shaped
like a credential before a record is formatted, traceback text included: an `Authorization`
scheme's value (`Bearer …`, `Basic …`, `OAuth …`), Shopify's `X-Shopify-Access-Token`, credential
parameters in a query or form (`access_token=…`, `client_secret=…`, `code=…`) or JSON
(`"refresh_token": "…"`), and tokens in the platforms' own formats (Shopify `shpat_…`/`shprt_…`/
`shpss_…`, HubSpot `pat-…`, Salesforce session ids `00D…!…`, the gateway's own API keys
`mgw_…`) — the tokens the vault hands out at
run time are not in settings, so their shape is what gives them away.

`aiosqlite` is held at INFO: at DEBUG it logs every SQL statement with its parameters (emails,
ids, and whatever else a row holds). tests/security_tokens/test_log_scan.py runs a whole demo
at DEBUG and finds no secret or token anywhere the gateway wrote.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime

from gateway.telemetry.log_routes import RoutesOnly
from gateway.telemetry.tracing import correlation_id

REDACTED = "[REDACTED]"
_SHAPES = re.compile(
    r"(?i)(\bbearer\s+|authorization['\"]?\s*[:=,]\s*['\"]?(?:basic|oauth)\s+)[\w.~+/=!-]+"
    r"|(x-shopify-access-token['\"]?\s*[:=,]\s*['\"]?)[^\s'\",}]+"
    r"|(\b(?:access_token|refresh_token|id_token|client_secret|api_key|apikey|password|code|"
    r"secret|token)=)[^&\s\"']+"
    r"|(\"(?:access_token|refresh_token|id_token|client_secret|api_key|password|secret|token)\""
    r"\s*:\s*\")[^\"]+"
    r"|()\b(?:shp(?:at|rt|ss|ca|pa)_[0-9a-z]{8,}|pat-[0-9a-z]{2,4}-[0-9a-z-]{8,}"
    r"|mgw_[0-9a-f]{12}_[\w-]{8,}"
    r"|00d[0-9a-z]{12,15}![\w.-]{16,})"
)
QUIET = {"aiosqlite": logging.INFO}  # loggers whose DEBUG lines would carry row data


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _SHAPES.sub(lambda m: _kept(m) + REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def _kept(match: re.Match[str]) -> str:
    """The part of a credential shape that is not secret (`Bearer `, `client_secret=`)."""
    return next((group for group in match.groups() if group), "")


FIELDS = ("platform", "operation")
"""Set by a log call's `extra=` (`extra={"platform": "hubspot"}`); the GraphQL operation is
also taken from the context it runs in."""


class CorrelationFilter(logging.Filter):
    """Every record gets `correlation_id`, `platform` and `operation` attributes ('-' when
    unknown), as fields of their own rather than words in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        from resolvers.extensions.operation_telemetry import current_operation

        record.correlation_id = correlation_id() or "-"
        if not getattr(record, "operation", None):
            record.operation = current_operation() or "-"
        if not getattr(record, "platform", None):
            record.platform = "-"
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
        for name in FIELDS:
            value = getattr(record, name, "-")
            if value != "-":
                line[name] = str(value)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line)


class TextFormatter(logging.Formatter):
    """One readable line: `12:00:01 WARNING sync_jobs.sync_runner platform=shopify
    operation=sync correlation_id=4f0c…: sync failed: …`, with only the fields that are known."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        known = [name for name in (*FIELDS, "correlation_id") if getattr(record, name, "-") != "-"]
        fields = [f"{name}={getattr(record, name)}" for name in known]
        head = " ".join([when, record.levelname, record.name, *fields])
        line = f"{head}: {record.getMessage()}"
        if record.exc_text:
            line += "\n" + record.exc_text
        return line


def configure_logging(
    level: str = "INFO", *, json_lines: bool = True, secrets: Iterable[str] = ()
) -> None:
    """Route every logger (uvicorn's too) through one redacting, correlating handler."""
    handler = logging.StreamHandler()
    handler.addFilter(CorrelationFilter())
    handler.addFilter(RoutesOnly())  # before redaction, which formats the message
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    for name, floor in QUIET.items():
        logging.getLogger(name).setLevel(max(floor, root.level))
