"""What an error may tell a client beyond its code: nothing of a platform's own answer, and
no "Did you mean …?" spelling out names of a schema the client may not introspect.

A platform's error text can carry its request details, account names or field values, so
with `upstream` masking (the serve profile) an upstream failure's message becomes a fixed
sentence per code naming the platform; the code, `platform`, `retryable` and both correlation
ids stay, and the platform's words go to the log (INFO, `mgw.graphql`) under the operation's
correlation id for the operator.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError

from hub.capabilities import display_name
from hub.exceptions import PlatformError

logger = logging.getLogger("mgw.graphql")

_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?", re.DOTALL)
SENTENCES = {
    "UPSTREAM_REJECTED": "{} refused the request.",
    "UPSTREAM_NOT_FOUND": "{} does not hold the record asked for.",
    "UPSTREAM_AUTH": "{} refused the gateway's credentials.",
    "UPSTREAM_RATE_LIMITED": "{} is rate limiting the gateway; try again later.",
    "UPSTREAM_UNAVAILABLE": "{} is unavailable; try again later.",
    "UPSTREAM_INVALID_DATA": "{} answered something the gateway cannot read.",
}
DEFAULT_SENTENCE = "{} failed."


def _with(error: GraphQLError, message: str) -> GraphQLError:
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )


def _codes(kind: type[PlatformError]) -> dict[str, str]:
    found = {kind.__name__: kind.code}
    for sub in kind.__subclasses__():
        found.update(_codes(sub))
    return found


def write_error_sentence(platform: str, stored: str | None) -> str | None:
    """A write's stored failure (`<ErrorClass>: <the platform's words>`) as a client may read
    it: the fixed sentence for its code, naming the platform; the words go to the log under
    the operation's correlation id."""
    if stored is None:
        return None
    kind = stored.split(":", 1)[0]
    code = _codes(PlatformError).get(kind, "")
    logger.info("write failure (masked for the client) on %s: %s", platform, stored)
    name = display_name(platform)
    return SENTENCES.get(code, DEFAULT_SENTENCE).format(name)


def without_suggestions(error: GraphQLError) -> GraphQLError:
    return _with(error, _SUGGESTION.sub("", error.message))


def without_upstream_text(error: GraphQLError) -> GraphQLError:
    """An upstream failure (`extensions.platform` and an `UPSTREAM_*` code) with the
    platform's own message replaced; any other error as it is."""
    extensions: dict[str, Any] = error.extensions or {}
    platform, code = extensions.get("platform"), extensions.get("code")
    if not isinstance(platform, str) or not str(code).startswith("UPSTREAM"):
        return error
    name = display_name(platform)
    logger.info(
        "upstream error (masked for the client): %s",
        error.message,
        extra={"correlation_id": extensions.get("correlationId"), "platform": platform},
    )
    return _with(error, SENTENCES.get(str(code), DEFAULT_SENTENCE).format(name))
