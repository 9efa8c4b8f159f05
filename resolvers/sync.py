"""`triggerSync` and the `SyncRun` it answers with; `syncRun(id:)` to follow a run."""

from __future__ import annotations

from datetime import datetime

import strawberry

from access.scopes import ADMIN_SYNC
from canonical_schema import Platform
from resolvers.context import GatewayContext
from resolvers.errors import BadUserInputError
from resolvers.permissions import needs
from resolvers.sync_control import SyncControl, SyncRunView

Info = strawberry.Info[GatewayContext, None]


@strawberry.type(
    name="SyncRun",
    description=(
        "One sync of a platform (or of every platform, when `platform` is null) into the "
        "identity index that `customers` pages over."
    ),
)
class SyncRunType:
    id: strawberry.ID = strawberry.field(description="Pass to `syncRun(id:)` to follow the run.")
    platform: Platform | None = strawberry.field(
        description="The platform synced; null when the run syncs every connected platform."
    )
    full: bool = strawberry.field(
        description="True: every record from the start; false: only changes since the last sync."
    )
    status: str = strawberry.field(
        description=(
            "QUEUED, RUNNING, SUCCEEDED, FAILED (see `error`; the next run resumes where this "
            "one stopped) or SKIPPED (another worker was already syncing the platform)."
        )
    )
    started_at: datetime = strawberry.field(description="When the run was queued or started.")
    finished_at: datetime | None = strawberry.field(description="When it ended; null until then.")
    records_read: int = strawberry.field(description="Records read from the platforms so far.")
    records_written: int = strawberry.field(
        description="Records that changed the index (new, or different from what it held)."
    )
    error: str | None = strawberry.field(description="Why the run failed or was skipped.")

    @classmethod
    def from_run(cls, run: SyncRunView) -> SyncRunType:
        return cls(
            id=strawberry.ID(run.id),
            platform=run.platform,
            full=run.full,
            status=run.status,
            started_at=run.started_at,
            finished_at=run.finished_at,
            records_read=run.records_read,
            records_written=run.records_written,
            error=run.error,
        )


def _service(info: Info) -> SyncControl:
    service: SyncControl | None = getattr(info.context, "sync", None)
    if service is None:
        raise BadUserInputError("sync is not available in this gateway")
    return service


@strawberry.type
class SyncMutations:
    @strawberry.mutation(
        description=(
            "Start a sync of `platform` (every connected platform when null) in the "
            "background and answer at once with its run (QUEUED). `full: true` reads every "
            "record from the start instead of the changes since the last sync."
        ),
        extensions=needs(ADMIN_SYNC),
    )
    async def trigger_sync(
        self, info: Info, platform: Platform | None = None, full: bool | None = False
    ) -> SyncRunType:
        service = _service(info)
        if platform is not None and platform not in service.platforms:
            connected = ", ".join(p.name for p in service.platforms) or "none"
            raise BadUserInputError(
                f"{platform.name} is not connected, so it cannot be synced (connected: {connected})"
            )
        return SyncRunType.from_run(await service.trigger(platform, full=bool(full)))


@strawberry.type
class SyncQueries:
    @strawberry.field(
        description="A sync run by id, as `triggerSync` answered it; null if unknown.",
        extensions=needs(ADMIN_SYNC),
    )
    async def sync_run(self, info: Info, id: strawberry.ID) -> SyncRunType | None:
        run = await _service(info).get(str(id))
        return SyncRunType.from_run(run) if run is not None else None
