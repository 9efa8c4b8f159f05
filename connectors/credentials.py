"""What the credential vault holds for one platform, as its connector factory sees it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.token_store import TokenStore


@dataclass(frozen=True)
class Credentials:
    """What the vault holds for one platform (`record`: None when it holds nothing), and the
    store its expiring token is shared through (None: this process keeps its own)."""

    record: dict[str, Any] | None = None
    store: TokenStore | None = None

    def vaulted(self, key: str) -> str | None:
        value = (self.record or {}).get(key)
        return value if isinstance(value, str) and value else None
