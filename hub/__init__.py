"""The hub of hub-and-spoke: read service (fan-out, merge), and, as they land, the write service,
the identity index and the durable store."""

from __future__ import annotations

from hub.exceptions import HubError, InvalidArgumentError, InvalidCursorError
from hub.read_service import CustomerListPage, CustomerRead, ReadService

__all__ = [
    "CustomerListPage",
    "CustomerRead",
    "HubError",
    "InvalidArgumentError",
    "InvalidCursorError",
    "ReadService",
]
