"""The scopes a client can hold, and what each one opens (docs/adr/0050-client-auth.md).

| scope             | opens                                                                   |
|-------------------|-------------------------------------------------------------------------|
| `read:customers`  | the customer graph: customers, companies, campaigns, nodes, changes     |
| `read:pii`        | a Customer's email, names (first, last, display) and phone              |
| `write:customers` | `upsertCustomer`                                                        |
| `admin:sync`      | `triggerSync`, `syncRun`                                                |
| `admin:dlq`       | `deadLetters`, `replayDeadLetter`, `discardDeadLetter`                  |

A scope is a plain string so JWTs from any issuer can carry them in `scope` or `scp`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

READ_CUSTOMERS: Final = "read:customers"
READ_PII: Final = "read:pii"
WRITE_CUSTOMERS: Final = "write:customers"
ADMIN_SYNC: Final = "admin:sync"
ADMIN_DLQ: Final = "admin:dlq"

ALL_SCOPES: Final = frozenset({READ_CUSTOMERS, READ_PII, WRITE_CUSTOMERS, ADMIN_SYNC, ADMIN_DLQ})


class UnknownScopeError(ValueError):
    """A scope this gateway does not define: refused where keys are made, so no typo ships."""


def parse_scopes(text: str | Iterable[str], *, strict: bool = True) -> frozenset[str]:
    """Scopes from `read:customers,read:pii` or `read:customers read:pii` (or a list of them).

    `strict` (creating keys) refuses unknown scopes; a JWT's foreign scopes are dropped instead,
    since an identity provider often issues scopes for other audiences in the same token.
    """
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    scopes = frozenset(part.strip() for part in parts if part.strip())
    unknown = sorted(scopes - ALL_SCOPES)
    if unknown and strict:
        raise UnknownScopeError(
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(ALL_SCOPES))}"
        )
    return scopes & ALL_SCOPES
