"""Schema extensions, one concern a file."""

from __future__ import annotations

from resolvers.extensions.deadline import OperationDeadline
from resolvers.extensions.document_caches import depth_limit, parser_cache, validation_cache
from resolvers.extensions.error_codes import ErrorCodes
from resolvers.extensions.operation_limits import OperationLimitsExtension
from resolvers.extensions.operation_telemetry import OperationTelemetry
from resolvers.extensions.partial_failures import PartialFailures
from resolvers.extensions.persisted_queries import PersistedQueries
from resolvers.extensions.store_notes import StoreNotes

__all__ = [
    "ErrorCodes",
    "OperationDeadline",
    "OperationLimitsExtension",
    "OperationTelemetry",
    "PartialFailures",
    "PersistedQueries",
    "StoreNotes",
    "depth_limit",
    "parser_cache",
    "validation_cache",
]
