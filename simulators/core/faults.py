"""Injected faults, per platform, drawn from a seeded RNG so a failing run can be replayed."""

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


@dataclass(frozen=True)
class FaultPlan:
    """What to do to one request: sleep first, then at most one of hang, error, malform, drift."""

    latency_ms: int = 0
    hang: bool = False
    error_status: int | None = None
    malformed: bool = False
    drift: bool = False


NO_FAULT = FaultPlan()


class Faults:
    def __init__(self, seed: int) -> None:
        self._seed = seed
        self._rng = random.Random(seed)
        self._specs: dict[str, FaultSpec] = {}

    def set(self, platform: str, spec: FaultSpec) -> None:
        self._specs[platform] = spec
        self._rng = random.Random(self._seed)

    def clear(self) -> None:
        self._specs.clear()
        self._rng = random.Random(self._seed)

    @property
    def rng(self) -> random.Random:
        """The seeded stream faults draw from; drift draws its choices from it too."""
        return self._rng

    def active(self) -> dict[str, FaultSpec]:
        return dict(self._specs)

    def plan(self, platform: str) -> FaultPlan:
        spec = self._specs.get(platform)
        if spec is None:
            return NO_FAULT
        roll = self._rng.random()
        hang = roll < spec.timeout_rate
        roll -= spec.timeout_rate
        error = not hang and roll < spec.error_rate
        roll -= spec.error_rate
        malformed = not hang and not error and roll < spec.malformed_rate
        roll -= spec.malformed_rate
        drift = not hang and not error and not malformed and roll < spec.drift_rate
        return FaultPlan(
            drift=drift,
            latency_ms=spec.latency_ms,
            hang=hang,
            error_status=spec.status if error else None,
            malformed=malformed,
        )
