"""The redaction filter: configured secrets by value, run-time tokens by their shape."""

from __future__ import annotations

import logging

import pytest

from gateway.telemetry.logs import REDACTED, RedactingFilter, configure_logging

SHAPES = [
    ("Authorization: Bearer eyJhbGciOi.abc-def", "eyJhbGciOi"),
    ("{'authorization': 'Basic YW55OmtleS11czIx'}", "YW55OmtleS11czIx"),
    ("Authorization: OAuth 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
    ("{'X-Shopify-Access-Token': 'shpat_0a1b2c3d4e5f6a7b'}", "0a1b2c3d4e5f6a7b"),
    ("x-shopify-access-token: anything-at-all", "anything-at-all"),
    ("GET /identity/oauth/token?client_id=c&client_secret=s3cr3t-value&x=1", "s3cr3t-value"),
    ("POST /webhooks/x?token=abcdef123&secret=zyxw987", "abcdef123"),
    ('{"refresh_token": "rt-777", "expires_in": 1800}', "rt-777"),
    ('{"id_token": "eyJ.id.token"}', "eyJ.id.token"),
    ("rotated to shprt_0123456789abcdef", "shprt_0123456789abcdef"),
    ("a private app: pat-na1-11111111-2222-3333", "pat-na1-11111111-2222-3333"),
    ("session 00D000000000001!AQ4AQFmJ8xY.abcdefghijk", "AQ4AQFmJ8xY.abcdefghijk"),
]


@pytest.mark.parametrize(("line", "secret"), SHAPES)
def test_credential_shapes_are_redacted(line: str, secret: str) -> None:
    redacted = RedactingFilter().redact(line)
    assert secret not in redacted
    assert REDACTED in redacted


@pytest.mark.parametrize(
    "line",
    [
        "HubSpot refused the refresh token: reconnect with `mgw connect hubspot`",
        "the OAuth connection is basic information",
        "GET /rest/v1/leads.json?nextPageToken=PAGE123&fields=email",
        "GET /crm/v3/objects/contacts?after=25&limit=10",
    ],
)
def test_ordinary_lines_are_left_alone(line: str) -> None:
    assert RedactingFilter().redact(line) == line


def test_configured_secrets_are_redacted_longest_first() -> None:
    redact = RedactingFilter(["abcdef", "abcdef-longer", "short"]).redact
    assert redact("x abcdef-longer y abcdef z short") == f"x {REDACTED} y {REDACTED} z short"


def test_sql_rows_are_not_logged_at_debug() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogger("aiosqlite").level
    try:
        configure_logging("debug")
        assert logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("aiosqlite").isEnabledFor(logging.DEBUG)
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        logging.getLogger("aiosqlite").setLevel(saved[2])
