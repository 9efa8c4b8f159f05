"""The circuit breaker's states, on a clock the test moves."""

from __future__ import annotations

from cache.breaker import BreakerPolicy, CircuitBreaker, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock) -> CircuitBreaker:
    policy = BreakerPolicy(failure_rate=0.5, min_calls=4, window=30, open_for=10)
    return CircuitBreaker(policy, clock)


def test_it_opens_when_half_the_recent_calls_failed_and_refuses_with_the_wait() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for ok in (True, False, True):
        assert circuit.allow() is None
        circuit.record(ok)
    assert circuit.state is CircuitState.CLOSED  # too few calls to judge
    circuit.record(False)
    assert circuit.state is CircuitState.OPEN
    clock.now += 4
    assert circuit.allow() == 6


def test_failures_older_than_the_window_are_forgotten() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(3):
        circuit.record(False)
    clock.now += 31
    for _ in range(3):
        circuit.record(True)
    circuit.record(False)
    assert circuit.state is CircuitState.CLOSED
    assert circuit.failure_rate() == 0.25


def test_after_open_for_one_probe_goes_through_and_its_success_closes() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(4):
        circuit.record(False)
    clock.now += 10
    assert circuit.state is CircuitState.HALF_OPEN
    assert circuit.allow() is None  # the probe
    assert circuit.allow() is not None  # everyone else waits for its verdict
    circuit.record(True)
    assert circuit.state is CircuitState.CLOSED
    assert circuit.failure_rate() == 0


def test_a_failed_probe_opens_it_again_for_the_full_time() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(4):
        circuit.record(False)
    clock.now += 12
    assert circuit.allow() is None
    circuit.record(False)
    assert circuit.state is CircuitState.OPEN
    assert circuit.allow() == 10


def test_a_probe_without_verdict_frees_the_slot() -> None:
    clock = Clock()
    circuit = breaker(clock)
    for _ in range(4):
        circuit.record(False)
    clock.now += 10
    assert circuit.allow() is None
    circuit.release()
    assert circuit.allow() is None
