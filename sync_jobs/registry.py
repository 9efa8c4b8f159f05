"""The job functions, by name. A module of `sync_jobs` registers its jobs with `@job(...)`;
`load_jobs()` imports every module of the package, so a worker knows them all without a
list to keep up to date.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from sync_jobs.engine import JobFunction, JobSpec

_JOBS: dict[str, JobSpec] = {}


def job(
    name: str, *, timeout: float | None = None, max_tries: int = 25, lane: str | None = None
) -> Callable[[JobFunction], JobFunction]:
    """Register `async def f(ctx, *args)` under `name` (in its own `lane`, when given)."""

    def register(function: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing is not None and existing.function is not function:
            qualified = f"{existing.function.__module__}.{existing.function.__qualname__}"
            raise ValueError(f"job {name!r} is already registered by {qualified}")
        _JOBS[name] = JobSpec(name, function, timeout=timeout, max_tries=max_tries, lane=lane)
        return function

    return register


def load_jobs() -> dict[str, JobSpec]:
    """Every registered job, after importing each module of the `sync_jobs` package."""
    import sync_jobs

    for module in pkgutil.iter_modules(sync_jobs.__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"sync_jobs.{module.name}")
    return dict(_JOBS)
