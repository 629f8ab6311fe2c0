"""Regression tests for the breaker defects found on a real Home Assistant."""

from __future__ import annotations

import math
from typing import Any

import pytest

from custom_components.pawcontrol.resilience import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    TransitionEvent,
)
from custom_components.pawcontrol.resilience.stored import (
    InvalidStoredStateError,
    parse_breaker_snapshot,
)

from .conftest import FakeClock

NOW = 1_780_000_000.0  # 2026-05-28, the wall clock of these tests


class ApiError(Exception):
    """A failure of the wrapped service."""


class RetryAfterError(Exception):
    """A failure with a Retry-After hint in seconds."""

    def __init__(self, retry_after: float) -> None:
        """Store the hint."""
        super().__init__("HTTP 503")
        self.retry_after = retry_after


class UnprintableError(Exception):
    """An error whose message cannot be built."""

    def __str__(self) -> str:
        """Fail like a broken third-party exception."""
        raise RuntimeError("no message")


async def fail(err: Exception) -> None:
    """Raise ``err``."""
    raise err


async def ok() -> str:
    """Succeed."""
    return "ok"


def make(
    clock: FakeClock, events: list[TransitionEvent], **config: Any
) -> CircuitBreaker:
    """Return a breaker on the fake clock that records its transitions."""
    return CircuitBreaker(
        "dog_rex",
        CircuitBreakerConfig(**config),
        clock=clock,
        random=lambda: 0.0,
        wall_clock=lambda: NOW,
        on_transition=events.append,
    )


async def trip(breaker: CircuitBreaker, err: Exception | None = None) -> None:
    """Open the breaker with three failures."""
    for _ in range(3):
        with pytest.raises(type(err) if err else ApiError):
            await breaker.call(fail, err or ApiError("down"))


async def test_reading_state_never_changes_it(clock: FakeClock) -> None:
    """After the open period, state, stats and snapshot read open; nothing fires."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events)
    await trip(breaker)
    events.clear()
    clock.advance(31)
    assert breaker.state is CircuitState.OPEN
    assert breaker.stats()["state"] == "open"
    assert breaker.stats()["open_remaining"] == 0.0
    assert breaker.snapshot()["state"] == "open"
    assert breaker.open_remaining == 0.0
    assert events == []
    assert breaker.expire_open_period() is True
    assert breaker.state is CircuitState.HALF_OPEN
    assert [event.reason for event in events] == ["timeout_elapsed"]


async def test_expire_open_period_waits_for_the_end(clock: FakeClock) -> None:
    """An open period that has not ended is not cut short."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events)
    await trip(breaker)
    clock.advance(29)
    assert breaker.expire_open_period() is False
    assert breaker.state is CircuitState.OPEN


@pytest.mark.parametrize(
    ("hint", "open_for"), [(31_536_000.0, 300.0), (120.0, 120.0), (1.0, 30.0)]
)
async def test_retry_after_is_capped_at_the_longest_open_period(
    clock: FakeClock, hint: float, open_for: float
) -> None:
    """A server's Retry-After keeps the breaker open at most 10 x timeout_seconds."""
    breaker = make(clock, [])
    await trip(breaker, RetryAfterError(hint))
    assert breaker.open_remaining == pytest.approx(open_for)
    assert breaker.snapshot()["open_duration"] == pytest.approx(open_for)


def _raising_exclude(err: BaseException) -> bool:
    """Fail like a buggy predicate."""
    raise RuntimeError("predicate bug")


async def test_half_open_permit_survives_a_raising_predicate(
    clock: FakeClock,
) -> None:
    """A predicate that raises neither leaks the permit nor replaces the error."""
    breaker = make(clock, [], exclude=_raising_exclude, half_open_max_calls=1)
    await trip(breaker)
    clock.advance(31)
    with pytest.raises(ApiError):
        await breaker.call(fail, ApiError("still down"))
    # The probe failed and re-opened the breaker; the next period admits a call.
    assert breaker.state is CircuitState.OPEN
    clock.advance(61)
    assert await breaker.call(ok) == "ok"


async def test_half_open_permit_survives_an_unprintable_error(
    clock: FakeClock,
) -> None:
    """An error whose str() raises still settles the probe and reaches the caller."""
    breaker = make(clock, [], half_open_max_calls=1)
    await trip(breaker)
    clock.advance(31)
    with pytest.raises(UnprintableError):
        await breaker.call(fail, UnprintableError())
    assert breaker.state is CircuitState.OPEN
    assert breaker.stats()["last_error"] == "UnprintableError"
    clock.advance(61)
    assert await breaker.call(ok) == "ok"


async def test_isolation_until_reset(clock: FakeClock) -> None:
    """An isolated breaker rejects every call, never half-opens, and a reset closes it."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events)
    breaker.isolate()
    assert breaker.state is CircuitState.OPEN
    assert breaker.stats()["isolated"] is True
    assert breaker.stats()["open_remaining"] is None
    assert [(e.to_state, e.reason) for e in events] == [(CircuitState.OPEN, "isolated")]
    clock.advance(10**6)
    assert breaker.expire_open_period() is False
    with pytest.raises(CircuitBreakerOpenError) as err:
        await breaker.call(ok)
    assert math.isinf(err.value.retry_after)
    assert str(err.value) == "Circuit breaker 'dog_rex' is isolated"
    breaker.reset()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.stats()["isolated"] is False
    assert await breaker.call(ok) == "ok"


async def test_isolating_an_open_breaker_ends_its_timer(clock: FakeClock) -> None:
    """Isolating a breaker that is already open keeps it open for good."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events)
    await trip(breaker)
    breaker.isolate()
    assert events[-1].reason == "isolated"
    assert events[-1].from_state is CircuitState.OPEN
    clock.advance(10**6)
    with pytest.raises(CircuitBreakerOpenError):
        await breaker.call(ok)


async def test_isolation_survives_a_snapshot(clock: FakeClock) -> None:
    """A restored isolated breaker is still isolated, whatever time passed."""
    breaker = make(clock, [])
    breaker.isolate()
    restored = make(clock, [])
    restored.restore(breaker.snapshot(), elapsed=10**6)
    assert restored.isolated
    assert restored.state is CircuitState.OPEN
    with pytest.raises(CircuitBreakerOpenError):
        await restored.call(ok)


def _snapshot(**changes: Any) -> dict[str, Any]:
    """Return a valid open snapshot with ``changes``."""
    snapshot: dict[str, Any] = {
        "state": "open",
        "isolated": False,
        "failure_count": 3,
        "success_count": 0,
        "total_calls": 3,
        "total_successes": 0,
        "total_failures": 3,
        "rejected_calls": 0,
        "opened_count": 1,
        "open_base": 30.0,
        "open_duration": 30.0,
        "open_remaining": 20.0,
        "last_failure_time": NOW - 10,
        "last_success_time": None,
        "last_state_change": NOW - 10,
        "last_error": "ApiError: down",
    }
    return snapshot | changes


def test_valid_snapshot_is_accepted() -> None:
    """The reference snapshot passes validation."""
    stored = parse_breaker_snapshot(_snapshot(), timeout_seconds=30, now=NOW)
    assert stored.open_remaining == 20.0


@pytest.mark.parametrize(
    "changes",
    [
        {"last_failure_time": math.inf},
        {"last_failure_time": 1e20},
        {"last_failure_time": 1e308},
        {"last_state_change": -1e12},
        {"last_success_time": "yesterday"},
        {"open_remaining": 31.0},
        {"open_remaining": math.nan},
        {"open_duration": 1e9},
        {"open_base": -1},
        {"total_calls": -1},
        {"total_calls": 2**60},
        {"failure_count": True},
        {"state": "melted"},
        {"isolated": "yes"},
        {"state": "closed", "isolated": True},
        {"last_error": 12},
    ],
)
def test_impossible_snapshots_are_refused(changes: dict[str, Any]) -> None:
    """Every stored field is held to the invariants of live state."""
    with pytest.raises(InvalidStoredStateError):
        parse_breaker_snapshot(_snapshot(**changes), timeout_seconds=30, now=NOW)


def test_restore_refuses_an_impossible_snapshot(clock: FakeClock) -> None:
    """A breaker given an impossible snapshot stays as it was."""
    breaker = make(clock, [])
    with pytest.raises(ValueError, match="last_failure_time"):
        breaker.restore(_snapshot(last_failure_time=1e20), elapsed=0)
    assert breaker.state is CircuitState.CLOSED
    assert breaker.stats()["total_calls"] == 0


def test_stored_last_error_is_masked_again() -> None:
    """A last_error written by an older version is masked when it is read."""
    stored = parse_breaker_snapshot(
        _snapshot(last_error="ApiError: url?token=abc123"),
        timeout_seconds=30,
        now=NOW,
    )
    assert stored.last_error is not None
    assert "abc123" not in stored.last_error
