from __future__ import annotations

import asyncio

import pytest

from cache import SingleFlight


async def test_a_hundred_concurrent_misses_make_one_call() -> None:
    calls = 0
    flight: SingleFlight[str, int] = SingleFlight()

    async def upstream() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    results = await asyncio.gather(*(flight.do("cold", upstream) for _ in range(100)))
    assert results == [42] * 100
    assert calls == 1
    assert len(flight) == 0
    assert await flight.do("cold", upstream) == 42
    assert calls == 2  # nothing is remembered once the flight lands


async def test_every_waiter_sees_the_failure() -> None:
    flight: SingleFlight[str, int] = SingleFlight()

    async def broken() -> int:
        await asyncio.sleep(0.01)
        raise RuntimeError("platform down")

    outcomes = await asyncio.gather(
        *(flight.do("k", broken) for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(o, RuntimeError) for o in outcomes)


async def test_a_cancelled_leader_does_not_strand_its_followers() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    started = asyncio.Event()

    async def slow() -> int:
        started.set()
        await asyncio.sleep(10)
        return 1

    leader = asyncio.create_task(flight.do("k", slow))
    await started.wait()
    follower = asyncio.create_task(flight.do("k", slow))
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await follower
