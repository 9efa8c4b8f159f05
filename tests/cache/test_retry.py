"""Retries back off 1 s, 4 s, 16 s, take the longer `Retry-After`, and never pass the deadline."""

from __future__ import annotations

import pytest

from cache.retry import RetryPolicy, full_jitter, no_jitter, retrying
from cache.throttle import deadline

EXACT = RetryPolicy(jitter=no_jitter)


class Flaky:
    """Fails `failures` times with `error`, then answers."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.left = failures
        self.error = error
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.left:
            self.left -= 1
            raise self.error
        return "answer"


class Hinted(Exception):
    def __init__(self, after: float | None) -> None:
        super().__init__("try later")
        self.after = after


def hint(error: Exception) -> float | None:
    return error.after if isinstance(error, Hinted) else None


class Sleeps:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


async def test_it_backs_off_one_four_sixteen_then_gives_up() -> None:
    time = Sleeps()
    work = Flaky(10, Hinted(0))
    with pytest.raises(Hinted):
        await retrying(work, EXACT, wait_hint=hint, clock=time.clock, sleep=time.sleep)
    assert time.waits == [1, 4, 16]
    assert work.calls == 4


async def test_a_longer_retry_after_wins_and_success_ends_it() -> None:
    time = Sleeps()
    work = Flaky(2, Hinted(2.5))
    answer = await retrying(work, EXACT, wait_hint=hint, clock=time.clock, sleep=time.sleep)
    assert answer == "answer"
    assert time.waits == [2.5, 4]


async def test_an_error_not_worth_retrying_raises_at_once() -> None:
    time = Sleeps()
    work = Flaky(1, ValueError("bad request"))
    with pytest.raises(ValueError, match="bad request"):
        await retrying(work, EXACT, wait_hint=hint, clock=time.clock, sleep=time.sleep)
    assert work.calls == 1
    assert time.waits == []


async def test_no_wait_is_taken_that_ends_past_the_deadline() -> None:
    time = Sleeps()
    work = Flaky(10, Hinted(0))
    token = deadline.set(5.5)  # 5.5 s from the fake clock's zero
    try:
        with pytest.raises(Hinted):
            await retrying(work, EXACT, wait_hint=hint, clock=time.clock, sleep=time.sleep)
    finally:
        deadline.reset(token)
    assert time.waits == [1, 4]  # 1 + 4 = 5 < 5.5; the next 16 would pass it
    assert work.calls == 3


async def test_waits_are_full_jitter_below_each_delay() -> None:
    """Replicas that failed together spread their retries instead of returning in lockstep."""
    time = Sleeps()
    work = Flaky(3, Hinted(0))
    await retrying(work, RetryPolicy(), wait_hint=hint, clock=time.clock, sleep=time.sleep)
    ceilings = (1, 4, 16)
    assert [0 <= w <= c for w, c in zip(time.waits, ceilings, strict=True)] == [True] * 3
    assert len({full_jitter(4.0) for _ in range(100)}) > 50
