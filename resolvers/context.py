"""Per-request context: the services, fresh DataLoaders, and the partial failures to report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from strawberry.dataloader import DataLoader

from connectors.exceptions import ConnectorError
from hub import CustomerRead, ReadService


@dataclass
class PartialFailure:
    """A platform that failed while the field at `path` was still answered from the others."""

    error: ConnectorError
    path: tuple[str | int, ...]


@dataclass
class GatewayContext:
    read: ReadService
    customers_by_email: DataLoader[str, CustomerRead]
    customers_by_id: DataLoader[str, CustomerRead]
    partial_failures: list[PartialFailure] = field(default_factory=list)

    def report(self, failures: Sequence[ConnectorError], path: tuple[str | int, ...]) -> None:
        """Record failures once each, however many fields they touched."""
        seen = {id(failure.error) for failure in self.partial_failures}
        for error in failures:
            if id(error) not in seen:
                seen.add(id(error))
                self.partial_failures.append(PartialFailure(error, path))


def make_context(read: ReadService) -> GatewayContext:
    """A context for one GraphQL operation: its DataLoaders batch and cache within it only."""

    async def by_email(emails: list[str]) -> Sequence[CustomerRead]:
        return await read.customers_by_email(emails)

    async def by_id(ids: list[str]) -> Sequence[CustomerRead]:
        return await read.customers_by_id(ids)

    return GatewayContext(
        read=read,
        customers_by_email=DataLoader(load_fn=by_email),
        customers_by_id=DataLoader(load_fn=by_id),
    )
