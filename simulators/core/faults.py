"""Injected faults, per platform, drawn from a seeded RNG so a failing run can be replayed.

A spec names rates (errors, hangs, malformed bodies, schema drift, connection resets, answers
cut off mid-body), a
`Retry-After` for injected errors, and optionally: `count`, a burst of that many faulted
calls after which the platform recovers by itself (the spec removes itself); `route`, only
calls whose route contains that text (e.g. only the write endpoint); `after`, that many
matching calls let through first. The fault matrix (tests/resilience/) is built from them."""

from __future__ import annotations

import random
from dataclasses import dataclass

TIMEOUT_HANG_SECONDS = 30.0


@dataclass(frozen=True)
class FaultSpec:
    error_rate: float = 0.0
    status: int = 500
    latency_ms: int = 0
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    drift_rate: float = 0.0
    reset_rate: float = 0.0
    truncate_rate: float = 0.0
    """The platform does the work, then its answer stops halfway: the status and headers
    promise the whole body (`Content-Length`), half of it is sent, the connection closes."""
    retry_after: float | None = None
    """Seconds sent as `Retry-After` with every injected error; None: the platform's own."""
    count: int | None = None
    """Fault only this many calls, then stop; None: until cleared."""
    route: str | None = None
    """Fault only calls whose route (`POST /crm/v3/objects/contacts/batch/upsert`) contains
    this text, e.g. only writes; None: every call."""
    after: int = 0
    """Let this many (matching) calls through before faulting."""


@dataclass(frozen=True)
class FaultPlan:
    """What to do to one request: sleep first, then at most one of hang, error, malform,
    drift, reset, truncate."""

    latency_ms: int = 0
    hang: bool = False
    error_status: int | None = None
    malformed: bool = False
    drift: bool = False
    reset: bool = False
    truncate: bool = False
    retry_after: float | None = None

    @property
    def faulted(self) -> bool:
        errored = self.error_status is not None
        cut = self.reset or self.truncate
        return self.hang or errored or self.malformed or self.drift or cut


NO_FAULT = FaultPlan()


class Faults:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._specs: dict[str, FaultSpec] = {}
        self._left: dict[str, int] = {}
        self._passed: dict[str, int] = {}

    def set(self, platform: str, spec: FaultSpec) -> None:
        self._specs[platform] = spec
        if spec.count is not None:
            self._left[platform] = spec.count
        else:
            self._left.pop(platform, None)
        self._passed[platform] = 0
        self._rng = random.Random(self._seed)

    def clear(self) -> None:
        self._specs.clear()
        self._left.clear()
        self._passed.clear()
        self._rng = random.Random(self._seed)

    @property
    def rng(self) -> random.Random:
        """The seeded stream faults draw from; drift draws its choices from it too."""
        return self._rng

    def active(self) -> dict[str, FaultSpec]:
        return dict(self._specs)

    def plan(self, platform: str, route: str = "") -> FaultPlan:
        spec = self._specs.get(platform)
        if spec is None or (spec.route is not None and spec.route not in route):
            return NO_FAULT
        if self._passed.get(platform, 0) < spec.after:
            self._passed[platform] = self._passed.get(platform, 0) + 1
            return NO_FAULT
        roll = self._rng.random()
        hang = roll < spec.timeout_rate
        roll -= spec.timeout_rate
        error = not hang and roll < spec.error_rate
        roll -= spec.error_rate
        malformed = not hang and not error and roll < spec.malformed_rate
        roll -= spec.malformed_rate
        drift = not hang and not error and not malformed and roll < spec.drift_rate
        roll -= spec.drift_rate
        reset = not (hang or error or malformed or drift) and roll < spec.reset_rate
        roll -= spec.reset_rate
        truncate = not (hang or error or malformed or drift or reset) and roll < spec.truncate_rate
        plan = FaultPlan(
            drift=drift,
            latency_ms=spec.latency_ms,
            hang=hang,
            error_status=spec.status if error else None,
            malformed=malformed,
            reset=reset,
            truncate=truncate,
            retry_after=spec.retry_after,
        )
        if plan.faulted and platform in self._left:
            self._left[platform] -= 1
            if self._left[platform] <= 0:  # the burst is over: the platform recovers
                del self._left[platform]
                del self._specs[platform]
        return plan
