"""The authenticated caller, as every layer after authentication sees it.

The auth middleware puts one `Principal` in `scope["state"]["principal"]` (so
`request.state.principal`) and the GraphQL context exposes it; per-client rate limiting keys on
`client_id`. A frozen dataclass, because nothing downstream may widen a caller's scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from access.scopes import ALL_SCOPES

STATE_KEY: Final = "principal"
"""Where the auth middleware leaves the principal in the ASGI scope's `state`."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A caller: a stable id, the scopes it holds, and how it proved who it is.

    `kind` is `api_key` (client_id `key:<id>`), `jwt` (client_id `jwt:<sub>`), `anonymous`
    (the demo profile, open to everyone; client_id `anonymous@<ip>`) or `internal` (code
    running the schema in-process, with no HTTP edge in between).
    """

    client_id: str
    scopes: frozenset[str]
    kind: str

    def has(self, scope: str) -> bool:
        """Whether the caller holds `scope`."""
        return scope in self.scopes


INTERNAL: Final = Principal("internal", ALL_SCOPES, "internal")
"""In-process callers (the CLI, tests that execute the schema directly): every scope."""

NOBODY: Final = Principal("nobody", frozenset(), "anonymous")
"""A request that reached the graph without credentials in the serve profile: no scope.
(Only WebSockets get that far: their credentials come in `connection_init`.)"""


def anonymous(client_ip: str | None) -> Principal:
    """A caller of the open demo profile: every scope, told apart only by address."""
    return Principal(f"anonymous@{client_ip or 'unknown'}", ALL_SCOPES, "anonymous")
