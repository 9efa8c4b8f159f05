"""Per-request context: the services, fresh DataLoaders, and the partial failures to report."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from access.principal import INTERNAL, Principal
from canonical_schema import DEFAULT_REGION
from hub import CustomerRead, ReadService
from hub.changes import ChangeBus
from hub.exceptions import PlatformError
from hub.graph import GraphReader
from hub.resilience import Integrations
from hub.write_service import WriteService
from resolvers.loaders import GraphLoaders, traced_batch
from resolvers.sync_control import SyncControl


@dataclass
class PartialFailure:
    """A platform that failed while the field at `path` was still answered from the others."""

    error: PlatformError
    path: tuple[str | int, ...]


@dataclass
class GatewayContext:
    read: ReadService
    customers_by_email: DataLoader[str, CustomerRead]
    customers_by_id: DataLoader[str, CustomerRead]
    partial_failures: list[PartialFailure] = field(default_factory=list)
    integrations: Integrations | None = None
    deadline_seconds: float | None = None
    """How long the operation may wait on platforms (resolvers/extensions/deadline.py)."""
    graph_reader: GraphReader = field(default_factory=GraphReader)
    graph: GraphLoaders = field(default_factory=lambda: GraphLoaders(GraphReader()))
    """The loaders of companies, deals, orders, events and campaigns (resolvers/loaders.py)."""
    correlation_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    """Names this operation in errors whose platform gave no request id of its own."""
    sync: SyncControl | None = None
    """Starts and reads sync runs (resolvers/sync.py); None where sync is not wired in."""
    write: WriteService | None = None
    """Write-back and the dead-letter queue (resolvers/mutations.py)."""
    phone_region: str = DEFAULT_REGION
    """Where a written phone without a country code is read (MGW_DEFAULT_PHONE_REGION)."""
    changes: ChangeBus | None = None
    """Change notices for subscriptions (hub/changes.py); None where nothing publishes."""
    principal: Principal = INTERNAL
    """Who is asking (gateway/security/): the HTTP edge sets the authenticated caller; code
    that runs the schema in-process, with no edge, holds every scope."""
    connection_params: dict[str, object] | None = None
    """A WebSocket's `connection_init` payload (its credentials, in the serve profile)."""
    store_unavailable: bool = False
    """A read found the store unreachable and went live (resolvers/extensions/store_notes.py)."""
    fresh_within: float | None = None
    """The tightest `maxStaleness` the operation asked for (None: none asked): the response
    cache keeps no answer older than it may be (resolvers/extensions/response_cache.py)."""
    cached_as: str | None = None
    """The operation's name ("" when it has none) once the response cache holds its answer
    (resolvers/extensions/response_cache.py): /graphql may keep the encoded bytes too
    (gateway/cached_answers.py)."""

    def asked_within(self, seconds: float | None) -> None:
        """A field asked for data at most `seconds` old (its `maxStaleness`; None: no bound)."""
        if seconds is not None and (self.fresh_within is None or seconds < self.fresh_within):
            self.fresh_within = seconds

    def report(self, failures: Sequence[PlatformError], path: tuple[str | int, ...]) -> None:
        """Record each failure once per field it touched (a field reports a platform once)."""
        seen = {(id(failure.error), failure.path) for failure in self.partial_failures}
        for error in failures:
            if (id(error), path) not in seen:
                seen.add((id(error), path))
                self.partial_failures.append(PartialFailure(error, path))


def make_context(
    read: ReadService,
    *,
    integrations: Integrations | None = None,
    deadline_seconds: float | None = None,
    graph: GraphReader | None = None,
    sync: SyncControl | None = None,
    write: WriteService | None = None,
    changes: ChangeBus | None = None,
    phone_region: str = DEFAULT_REGION,
    principal: Principal = INTERNAL,
) -> GatewayContext:
    """A context for one GraphQL operation: its DataLoaders batch and cache within it only."""

    reader = graph or GraphReader()

    async def by_email(emails: list[str]) -> Sequence[CustomerRead]:
        with traced_batch("customers_by_email", len(emails)):
            return noted(await read.customers_by_email(emails))

    async def by_id(ids: list[str]) -> Sequence[CustomerRead]:
        with traced_batch("customers_by_id", len(ids)):
            return noted(await read.customers_by_id(ids))

    def noted(reads: Sequence[CustomerRead]) -> Sequence[CustomerRead]:
        if any(r.store_unavailable for r in reads):
            context.store_unavailable = True
        return reads

    context = GatewayContext(
        read=read,
        customers_by_email=DataLoader(load_fn=by_email),
        customers_by_id=DataLoader(load_fn=by_id),
        integrations=integrations,
        deadline_seconds=deadline_seconds,
        graph_reader=reader,
        graph=GraphLoaders(reader),
        sync=sync,
        write=write,
        changes=changes,
        phone_region=phone_region,
        principal=principal,
    )
    return context
