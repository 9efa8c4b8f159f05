"""Waiting for what a test is about, instead of sleeping a fixed time and hoping it happened:
on a loaded machine anything asynchronous may take far longer than it does on a quiet one."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable

HUNG = 30.0
"""Seconds after which a wait gives up: a bound for a hung test, not a speed requirement."""


async def eventually(
    check: Callable[[], object | Awaitable[object]], within: float = HUNG, every: float = 0.01
) -> bool:
    """True as soon as `check()` (a function or a coroutine function) is truthy; False once
    `within` seconds have passed without it."""
    give_up = time.monotonic() + within
    while True:
        outcome = check()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return True
        if time.monotonic() > give_up:
            return False
        await asyncio.sleep(every)
