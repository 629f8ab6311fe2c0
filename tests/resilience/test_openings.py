"""What a person reads off a breaker: failures, outages, reopenings, the next test."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
import json
from typing import Any

import pytest

from custom_components.pawcontrol.resilience import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitState,
)
from custom_components.pawcontrol.resilience.stored import (
    InvalidStoredStateError,
    parse_breaker_snapshot,
)

from .conftest import FakeClock

WALL = 1_793_642_400.0  # 2026-11-02T18:00:00Z, the pinned start of the suite


class ApiError(Exception):
    """A failure of the wrapped service."""


async def fail() -> None:
    """Fail."""
    raise ApiError("HTTP 500")


async def ok() -> None:
    """Succeed."""


class Wall:
    """A wall clock that moves with the monotonic one: WALL at its start."""

    def __init__(self, clock: FakeClock) -> None:
        """Follow ``clock``."""
        self._clock = clock

    def __call__(self) -> float:
        """Return the wall-clock time."""
        return WALL + self._clock.now - FakeClock().now


def make(clock: FakeClock) -> CircuitBreaker:
    """Return a breaker with the defaults and no jitter."""
    return CircuitBreaker(
        "dog_rex",
        CircuitBreakerConfig(),
        clock=clock,
        random=lambda: 0.0,
        wall_clock=Wall(clock),
    )


async def _calls(breaker: CircuitBreaker, func: Any, times: int) -> None:
    """Call ``func`` ``times`` times, ignoring its error."""
    for _ in range(times):
        with contextlib.suppress(ApiError):
            await breaker.call(func)


def _iso(offset: float) -> str:
    """Return the wall-clock time ``offset`` seconds after WALL."""
    return datetime.fromtimestamp(WALL + offset, UTC).isoformat()


async def test_one_outage_with_failed_probes(clock: FakeClock) -> None:
    """One outage, two failed probes: 1 outage, 2 reopenings, 5 failed calls."""
    breaker = make(clock)
    await _calls(breaker, fail, 3)
    for wait in (30, 60):
        clock.advance(wait)
        await _calls(breaker, fail, 1)
    stats = breaker.stats()
    assert (stats["outages"], stats["reopened_after_probe"]) == (1, 2)
    assert stats["opened_count"] == 3
    assert stats["failed_calls"] == stats["total_failures"] == 5
    clock.advance(120)
    await _calls(breaker, ok, 2)
    assert breaker.state is CircuitState.CLOSED
    await _calls(breaker, fail, 3)
    stats = breaker.stats()
    assert (stats["outages"], stats["reopened_after_probe"]) == (2, 2)
    assert stats["opened_count"] == 4


async def test_open_until_is_a_fixed_time(clock: FakeClock) -> None:
    """open_until names the moment of the next test call and does not move."""
    breaker = make(clock)
    assert breaker.stats()["open_until"] is None
    await _calls(breaker, fail, 3)
    assert breaker.open_until == _iso(30)
    clock.advance(12.345)
    stats = breaker.stats()
    assert stats["open_until"] == _iso(30)
    assert stats["open_remaining"] == pytest.approx(17.655)
    clock.advance(20)
    assert breaker.expire_open_period()
    assert breaker.open_until is None
    await _calls(breaker, fail, 1)
    # Reopened after a failed probe, for twice as long.
    assert breaker.open_until == _iso(32.345 + 60)
    breaker.isolate()
    assert breaker.open_until is None


async def test_openings_survive_a_restart(clock: FakeClock) -> None:
    """The counts and the next test time are restored from the snapshot."""
    breaker = make(clock)
    await _calls(breaker, fail, 3)
    clock.advance(30)
    await _calls(breaker, fail, 1)
    clock.advance(10)
    snapshot = json.loads(json.dumps(breaker.snapshot()))
    restored = make(clock)
    restored.restore(snapshot, elapsed=0)
    stats = restored.stats()
    assert (stats["outages"], stats["reopened_after_probe"]) == (1, 1)
    assert stats["open_until"] == breaker.stats()["open_until"] == _iso(40 + 50)


def _old_snapshot(**changes: Any) -> dict[str, Any]:
    """Return a snapshot saved before the opening counts existed."""
    return {
        "state": "closed",
        "isolated": False,
        "failure_count": 0,
        "success_count": 0,
        "total_calls": 9,
        "total_successes": 3,
        "total_failures": 6,
        "rejected_calls": 2,
        "opened_count": 4,
        "open_base": 30.0,
        "open_duration": 30.0,
        "open_remaining": None,
        "last_failure_time": WALL - 60,
        "last_success_time": WALL - 10,
        "last_state_change": WALL - 10,
        "last_error": "ApiError: HTTP 500",
    } | changes


def test_a_snapshot_without_the_counts_starts_them_at_zero() -> None:
    """Older saved states are accepted; their openings are not split afterwards."""
    stored = parse_breaker_snapshot(_old_snapshot(), timeout_seconds=30, now=WALL)
    assert stored.counters["outages"] == 0
    assert stored.counters["reopened_after_probe"] == 0
    assert stored.counters["opened_count"] == 4


@pytest.mark.parametrize(
    "changes",
    [
        {"outages": 3, "reopened_after_probe": 2},
        {"outages": -1},
        {"reopened_after_probe": "4"},
    ],
)
def test_impossible_counts_are_refused(changes: dict[str, Any]) -> None:
    """More openings by kind than openings, or no count at all, is refused."""
    with pytest.raises(InvalidStoredStateError):
        parse_breaker_snapshot(_old_snapshot(**changes), timeout_seconds=30, now=WALL)
