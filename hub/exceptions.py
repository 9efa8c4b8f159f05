"""Hub errors: a platform's failure, as the layers above the hub see it, and the caller's own.

PlatformError                the failure of one platform (`platform`, a stable `code`): what a
                             partial answer reports; the connectors raise its kinds
                             (`connectors/exceptions.py`), callers above the hub match this one
HubError
└── InvalidArgumentError     the request asks for something that cannot be answered as asked
    └── InvalidCursorError   a paging cursor the gateway did not issue, or for another list
"""

from __future__ import annotations

from connectors.exceptions import ConnectorError

PlatformError = ConnectorError
"""One platform's failure (its kinds are in `connectors/exceptions.py`)."""


class HubError(Exception):
    code = "HUB_ERROR"


class InvalidArgumentError(HubError, ValueError):
    code = "BAD_USER_INPUT"


class InvalidCursorError(InvalidArgumentError):
    pass
