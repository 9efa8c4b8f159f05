"""Hub errors. Connector failures pass through as `connectors.exceptions`; these are the caller's.

HubError
└── InvalidArgumentError     the request asks for something that cannot be answered as asked
    └── InvalidCursorError   a paging cursor the gateway did not issue, or for another list
"""

from __future__ import annotations


class HubError(Exception):
    code = "HUB_ERROR"


class InvalidArgumentError(HubError, ValueError):
    code = "BAD_USER_INPUT"


class InvalidCursorError(InvalidArgumentError):
    pass
