"""What the graph asks of the sync service (sync_jobs/ implements it; the gateway wires it in):
start a sync in the background, and read a run back."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from canonical_schema import Platform


class SyncRunView(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def platform(self) -> Platform | None: ...
    @property
    def full(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def records_read(self) -> int: ...
    @property
    def records_written(self) -> int: ...
    @property
    def error(self) -> str | None: ...


class SyncControl(Protocol):
    @property
    def platforms(self) -> tuple[Platform, ...]:
        """The platforms that can be synced (connected, with a change feed)."""
        ...

    async def trigger(
        self, platform: Platform | None = None, *, full: bool = False
    ) -> SyncRunView: ...

    async def get(self, run_id: str) -> SyncRunView | None: ...
