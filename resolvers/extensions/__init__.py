"""Schema extensions, one concern a file."""

from __future__ import annotations

from resolvers.extensions.error_codes import ErrorCodes
from resolvers.extensions.partial_failures import PartialFailures

__all__ = ["ErrorCodes", "PartialFailures"]
