"""Tests for the circuit breaker state machine (semantics 1-7, 10, 11)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
import json
import logging
import random
from typing import Any

from freezegun.api import FrozenDateTimeFactory
import pytest

from custom_components.pawcontrol.resilience import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    TransitionEvent,
)
from custom_components.pawcontrol.resilience.breaker import format_error

from .conftest import FakeClock


class ApiError(Exception):
    """A failure of the wrapped service."""


class ThrottledError(Exception):
    """A failure carrying a retry-after hint."""

    def __init__(self, retry_after: Any) -> None:
        """Store the hint."""
        super().__init__("HTTP 429")
        self.retry_after = retry_after


class InvalidInputError(Exception):
    """A caller's mistake, excluded from the breaker."""


async def ok() -> str:
    """Succeed."""
    return "ok"


async def fail() -> str:
    """Fail."""
    raise ApiError("boom")


def make(
    clock: FakeClock,
    config: CircuitBreakerConfig | None = None,
    *,
    random: Callable[[], float] = lambda: 0.0,
    events: list[TransitionEvent] | None = None,
) -> CircuitBreaker:
    """Return a breaker on the fake clock with a recorded transition hook."""
    return CircuitBreaker(
        "dog_rex",
        config or CircuitBreakerConfig(),
        clock=clock,
        random=random,
        on_transition=events.append if events is not None else None,
    )


async def trip(breaker: CircuitBreaker, failures: int = 3) -> None:
    """Fail ``failures`` times."""
    for _ in range(failures):
        with pytest.raises(ApiError):
            await breaker.call(fail)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"failure_threshold": 0},
        {"success_threshold": -1},
        {"half_open_max_calls": 0},
        {"failure_threshold": True},
        {"failure_threshold": 1.5},
        {"timeout_seconds": 0},
        {"timeout_seconds": -1.0},
        {"timeout_seconds": float("inf")},
        {"timeout_seconds": "30"},
        {"timeout_seconds": False},
        {"excluded_exceptions": [ValueError]},
        {"excluded_exceptions": (int,)},
    ],
)
def test_config_rejects_invalid_values(kwargs: dict[str, Any]) -> None:
    """A non-positive or malformed setting raises ValueError."""
    with pytest.raises(ValueError, match="must be"):
        CircuitBreakerConfig(**kwargs)


def test_config_defaults() -> None:
    """The defaults are those of the v1.0.1 package."""
    config = CircuitBreakerConfig()
    assert (
        config.failure_threshold,
        config.success_threshold,
        config.timeout_seconds,
        config.half_open_max_calls,
        config.excluded_exceptions,
        config.exclude,
    ) == (3, 2, 30.0, 2, (), None)
    assert CircuitState.HALF_OPEN == "half_open"


async def test_closed_counts_consecutive_failures(clock: FakeClock) -> None:
    """A success resets the count; three consecutive failures open (semantics 1)."""
    breaker = make(clock)
    await trip(breaker, 2)
    assert breaker.stats()["failure_count"] == 2
    assert await breaker.call(ok) == "ok"
    assert breaker.stats()["failure_count"] == 0
    await trip(breaker, 2)
    assert breaker.state is CircuitState.CLOSED
    await trip(breaker, 1)
    assert breaker.state is CircuitState.OPEN


async def test_call_passes_arguments(clock: FakeClock) -> None:
    """Positional and keyword arguments reach the wrapped function."""

    async def add(a: int, *, b: int) -> int:
        return a + b

    assert await make(clock).call(add, 1, b=2) == 3


async def test_open_rejects_without_calling(clock: FakeClock) -> None:
    """OPEN rejects at once, counting a rejection, not a failure (semantics 2)."""
    breaker = make(clock)
    await trip(breaker)
    called = False

    async def probe() -> None:
        nonlocal called
        called = True

    clock.advance(10)
    with pytest.raises(CircuitBreakerOpenError) as exc_info:
        await breaker.call(probe)
    assert not called
    assert exc_info.value.circuit_name == "dog_rex"
    assert exc_info.value.retry_after == pytest.approx(20.0)
    assert "dog_rex" in str(exc_info.value)
    stats = breaker.stats()
    assert stats["rejected_calls"] == 1
    assert stats["total_failures"] == 3
    assert stats["total_calls"] == 3
    assert stats["failure_count"] == 3
    assert stats["open_remaining"] == pytest.approx(20.0)


async def test_open_becomes_half_open_when_expired(clock: FakeClock) -> None:
    """After the open duration, the owner's expiry call half-opens it (semantics 2)."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events=events)
    await trip(breaker)
    clock.advance(29.999)
    assert breaker.expire_open_period() is False
    assert breaker.state is CircuitState.OPEN
    assert breaker.open_remaining == pytest.approx(0.001)
    clock.advance(0.001)
    # Reading never changes the state; only the explicit call does.
    assert breaker.state is CircuitState.OPEN
    assert breaker.expire_open_period() is True
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.open_remaining is None
    assert [(e.from_state, e.to_state, e.reason) for e in events] == [
        (CircuitState.CLOSED, CircuitState.OPEN, "failure_threshold"),
        (CircuitState.OPEN, CircuitState.HALF_OPEN, "timeout_elapsed"),
    ]
    assert events[0].failure_count == 3
    assert events[0].last_error == "ApiError: boom"
    assert events[0].circuit_name == "dog_rex"


async def test_call_after_timeout_is_a_probe(clock: FakeClock) -> None:
    """The first call after the open period is admitted in HALF_OPEN."""
    breaker = make(clock)
    await trip(breaker)
    clock.advance(30)
    assert await breaker.call(ok) == "ok"
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.stats()["success_count"] == 1
    assert await breaker.call(ok) == "ok"
    assert breaker.state is CircuitState.CLOSED
    stats = breaker.stats()
    assert (stats["success_count"], stats["failure_count"]) == (0, 0)


async def test_half_open_failure_reopens(clock: FakeClock) -> None:
    """Any probe failure opens again (semantics 3)."""
    breaker = make(clock)
    await trip(breaker)
    clock.advance(30)
    await breaker.call(ok)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.state is CircuitState.OPEN
    assert breaker.stats()["opened_count"] == 2


async def test_half_open_admits_limited_concurrent_callers(clock: FakeClock) -> None:
    """100 concurrent callers in HALF_OPEN: exactly half_open_max_calls run."""
    breaker = make(clock, CircuitBreakerConfig(success_threshold=5))
    await trip(breaker)
    clock.advance(30)
    gate = asyncio.Event()
    running = 0

    async def slow() -> str:
        nonlocal running
        running += 1
        await gate.wait()
        return "ok"

    tasks = [asyncio.create_task(breaker.call(slow)) for _ in range(100)]
    await asyncio.sleep(0)
    assert running == 2
    gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results.count("ok") == 2
    rejected = [r for r in results if isinstance(r, CircuitBreakerOpenError)]
    assert len(rejected) == 98
    assert all(r.retry_after == 0.0 for r in rejected)
    stats = breaker.stats()
    assert stats["rejected_calls"] == 98
    assert stats["total_calls"] == 5
    assert stats["total_failures"] == 3
    # The permits came back: the next probes are admitted.
    assert breaker.state is CircuitState.HALF_OPEN
    for _ in range(3):
        await breaker.call(ok)
    assert breaker.state is CircuitState.CLOSED


async def test_failed_probes_double_base_up_to_ten_times(clock: FakeClock) -> None:
    """Each failed probe doubles the base; capped at 10x; closing resets (semantics 4)."""
    breaker = make(clock, CircuitBreakerConfig(success_threshold=1))
    await trip(breaker)
    durations = []
    for _ in range(6):
        durations.append(breaker.open_remaining)
        clock.advance(breaker.open_remaining or 0)
        with pytest.raises(ApiError):
            await breaker.call(fail)
    assert durations == [30, 60, 120, 240, 300, 300]
    clock.advance(300)
    await breaker.call(ok)
    assert breaker.state is CircuitState.CLOSED
    await trip(breaker)
    assert breaker.open_remaining == 30


async def test_open_jitter_does_not_compound(clock: FakeClock) -> None:
    """Each period is base * (1 + 0.1 * random()); jitter never enters the base."""
    breaker = make(clock, random=lambda: 0.5)
    await trip(breaker)
    assert breaker.open_remaining == pytest.approx(31.5)
    clock.advance(31.5)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.open_remaining == pytest.approx(63.0)
    clock.advance(63)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.open_remaining == pytest.approx(126.0)


async def test_many_breakers_spread_their_probes(clock: FakeClock) -> None:
    """Breakers tripped together do not all probe at the same moment."""
    rng = random.Random(1)  # noqa: S311 - jitter, not cryptography
    breakers = [
        CircuitBreaker(f"dog_{i}", clock=clock, random=rng.random) for i in range(20)
    ]
    for breaker in breakers:
        await trip(breaker)
    remaining = {round(breaker.open_remaining or 0, 3) for breaker in breakers}
    assert len(remaining) == 20
    assert all(30 <= r <= 33 for r in remaining)


async def test_wall_clock_changes_change_nothing(
    clock: FakeClock, freezer: FrozenDateTimeFactory
) -> None:
    """Jumping the wall clock back or forth neither closes nor extends (semantics 5)."""
    freezer.move_to("2026-01-01T12:00:00+00:00")
    breaker = make(clock)
    await trip(breaker)
    opened_at = breaker.stats()["last_state_change"]
    assert opened_at == "2026-01-01T12:00:00+00:00"
    freezer.move_to("2027-01-01T12:00:00+00:00")
    assert breaker.state is CircuitState.OPEN
    freezer.move_to("2020-01-01T12:00:00+00:00")
    assert breaker.open_remaining == 30
    clock.advance(30)
    assert breaker.expire_open_period()
    assert breaker.state is CircuitState.HALF_OPEN
    datetime.fromisoformat(breaker.stats()["last_state_change"] or "")


async def test_cancelled_call_is_neutral(clock: FakeClock) -> None:
    """A cancelled call is neither failure nor success and propagates (semantics 6)."""
    breaker = make(clock)
    await trip(breaker, 2)
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(breaker.call(hang))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stats = breaker.stats()
    assert stats["failure_count"] == 2
    assert stats["total_failures"] == 2
    assert stats["total_successes"] == 0
    assert breaker.state is CircuitState.CLOSED


async def test_cancelled_probe_returns_its_permit(clock: FakeClock) -> None:
    """A cancelled half-open probe gives its permit back (semantics 6)."""
    breaker = make(clock, CircuitBreakerConfig(half_open_max_calls=1))
    await trip(breaker)
    clock.advance(30)
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(breaker.call(hang))
    await started.wait()
    with pytest.raises(CircuitBreakerOpenError):
        await breaker.call(ok)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state is CircuitState.HALF_OPEN
    assert await breaker.call(ok) == "ok"


async def test_excluded_errors_are_neutral(clock: FakeClock) -> None:
    """Excluded errors, by type or predicate, pass through and count as neither."""
    config = CircuitBreakerConfig(
        failure_threshold=1,
        half_open_max_calls=1,
        excluded_exceptions=(InvalidInputError,),
        exclude=lambda err: isinstance(err, KeyError),
    )
    breaker = make(clock, config)

    async def invalid() -> None:
        raise InvalidInputError("bad dog id")

    async def missing() -> None:
        raise KeyError("x")

    with pytest.raises(InvalidInputError):
        await breaker.call(invalid)
    with pytest.raises(KeyError):
        await breaker.call(missing)
    assert breaker.state is CircuitState.CLOSED
    assert breaker.stats()["total_failures"] == 0
    assert breaker.stats()["last_error"] is None
    await trip(breaker, 1)
    clock.advance(30)
    with pytest.raises(InvalidInputError):
        await breaker.call(invalid)
    # The permit came back and the breaker stayed half-open.
    assert breaker.state is CircuitState.HALF_OPEN
    await breaker.call(ok)
    assert breaker.stats()["success_count"] == 1


async def test_other_base_exceptions_are_neutral(clock: FakeClock) -> None:
    """A BaseException that is not an Exception is not a failure."""
    breaker = make(clock, CircuitBreakerConfig(failure_threshold=1))

    async def leave() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        await breaker.call(leave)
    assert breaker.state is CircuitState.CLOSED


async def test_slow_success_from_closed_cannot_close_half_open(
    clock: FakeClock,
) -> None:
    """A success admitted while CLOSED does not count in HALF_OPEN (semantics 7)."""
    breaker = make(clock, CircuitBreakerConfig(success_threshold=1))
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        return "late"

    task = asyncio.create_task(breaker.call(slow))
    await asyncio.sleep(0)
    await trip(breaker)
    clock.advance(30)
    assert breaker.expire_open_period()
    gate.set()
    assert await task == "late"
    assert breaker.state is CircuitState.HALF_OPEN
    stats = breaker.stats()
    assert stats["success_count"] == 0
    assert stats["total_successes"] == 1


async def test_late_failure_cannot_reopen_closed(clock: FakeClock) -> None:
    """A failure admitted in an earlier period does not count now (semantics 7)."""
    breaker = make(clock, CircuitBreakerConfig(failure_threshold=1))
    gate = asyncio.Event()

    async def slow_fail() -> None:
        await gate.wait()
        raise ApiError("late")

    task = asyncio.create_task(breaker.call(slow_fail))
    await asyncio.sleep(0)
    await trip(breaker, 1)
    clock.advance(30)
    await breaker.call(ok)
    await breaker.call(ok)
    assert breaker.state is CircuitState.CLOSED
    gate.set()
    with pytest.raises(ApiError):
        await task
    assert breaker.state is CircuitState.CLOSED
    stats = breaker.stats()
    assert stats["failure_count"] == 0
    assert stats["total_failures"] == 2
    assert stats["last_error"] == "ApiError: late"


async def test_stale_probe_permit_is_not_returned_twice(clock: FakeClock) -> None:
    """A probe from an earlier half-open period cannot free a newer permit."""
    breaker = make(clock, CircuitBreakerConfig(half_open_max_calls=1))
    await trip(breaker)
    clock.advance(30)
    started = asyncio.Event()

    async def hang() -> None:
        started.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(breaker.call(hang))
    await started.wait()
    breaker.reset()
    await trip(breaker)
    clock.advance(30)
    probe = asyncio.Event()

    async def second() -> None:
        probe.set()
        await asyncio.Event().wait()

    second_task = asyncio.create_task(breaker.call(second))
    await probe.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(CircuitBreakerOpenError):
        await breaker.call(ok)
    second_task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second_task


@pytest.mark.parametrize("hint", [90.0, 90])
async def test_retry_after_hint_extends_open_duration(
    clock: FakeClock, hint: float
) -> None:
    """A retry_after hint on the opening failure sets a minimum (semantics 10)."""
    breaker = make(clock, CircuitBreakerConfig(failure_threshold=1))

    async def throttled() -> None:
        raise ThrottledError(hint)

    with pytest.raises(ThrottledError):
        await breaker.call(throttled)
    assert breaker.open_remaining == 90
    clock.advance(90)
    with pytest.raises(ThrottledError):
        await breaker.call(throttled)
    assert breaker.open_remaining == 90


@pytest.mark.parametrize("hint", [5.0, None, float("nan"), -1.0, True, "60"])
async def test_short_or_bad_hints_do_not_shorten(clock: FakeClock, hint: Any) -> None:
    """A hint below the period, or a malformed one, leaves the period alone."""
    breaker = make(clock, CircuitBreakerConfig(failure_threshold=1))

    async def throttled() -> None:
        raise ThrottledError(hint)

    with pytest.raises(ThrottledError):
        await breaker.call(throttled)
    assert breaker.open_remaining == 30


async def test_stats_shape_and_json(clock: FakeClock) -> None:
    """stats() has exactly the documented keys and is JSON-safe (semantics 11)."""
    breaker = make(clock)
    stats = breaker.stats()
    assert list(stats) == [
        "name",
        "state",
        "failure_count",
        "success_count",
        "total_calls",
        "total_successes",
        "total_failures",
        "rejected_calls",
        "opened_count",
        "failed_calls",
        "outages",
        "reopened_after_probe",
        "last_failure_time",
        "last_success_time",
        "last_state_change",
        "last_error",
        "open_remaining",
        "open_until",
        "isolated",
    ]
    assert stats["last_success_time"] is None
    await breaker.call(ok)
    await trip(breaker)
    with pytest.raises(CircuitBreakerOpenError):
        await breaker.call(ok)
    stats = breaker.stats()
    json.dumps(stats)
    assert stats["state"] == "open"
    assert (stats["total_calls"], stats["total_successes"]) == (4, 1)
    assert (stats["total_failures"], stats["rejected_calls"]) == (3, 1)
    assert stats["opened_count"] == 1
    for key in ("last_failure_time", "last_success_time", "last_state_change"):
        assert datetime.fromisoformat(stats[key] or "").tzinfo is not None  # type: ignore[literal-required]


def test_last_error_is_short_and_masked() -> None:
    """last_error is "Type: message", at most 200 characters, credentials masked."""
    err = ApiError(
        "GET https://user:hunter2@api.example/dogs?token=s3cr3t&x=1 "
        "Authorization: Bearer abc.def password=pw " + "x" * 300
    )
    text = format_error(err)
    assert text.startswith("ApiError: GET https://***@api.example/dogs?token=***&x=***")
    assert "hunter2" not in text
    assert "s3cr3t" not in text
    assert "abc.def" not in text
    assert "pw " not in text
    assert len(text) == 200
    assert format_error(TimeoutError()) == "TimeoutError"


def test_throttle_is_per_breaker(clock: FakeClock) -> None:
    """Each breaker owns one retry throttle."""
    breaker = make(clock)
    assert breaker.throttle is breaker.throttle
    assert breaker.throttle is not make(clock).throttle


async def test_reset_closes_and_keeps_totals(clock: FakeClock) -> None:
    """reset() closes the breaker, clears its counters and keeps the totals."""
    events: list[TransitionEvent] = []
    breaker = make(clock, events=events)
    await trip(breaker, 2)
    breaker.reset()
    assert breaker.stats()["failure_count"] == 0
    assert events == []
    await trip(breaker)
    breaker.reset()
    assert breaker.state is CircuitState.CLOSED
    assert events[-1].reason == "reset"
    assert breaker.stats()["total_failures"] == 5
    await trip(breaker)
    assert breaker.open_remaining == 30


async def test_config_update_keeps_state(clock: FakeClock) -> None:
    """A new config keeps the state and clamps the base to the new limits."""
    breaker = make(clock, CircuitBreakerConfig(success_threshold=1))
    await trip(breaker)
    breaker.config = CircuitBreakerConfig(timeout_seconds=60, success_threshold=1)
    assert breaker.state is CircuitState.OPEN
    clock.advance(30)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.open_remaining == 120
    breaker.config = CircuitBreakerConfig(timeout_seconds=5, success_threshold=1)
    assert breaker.config.timeout_seconds == 5
    clock.advance(120)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.open_remaining == 50


async def test_transition_listener_error_is_isolated(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A failing transition hook is logged and the call's outcome is kept."""

    def broken(event: TransitionEvent) -> None:
        raise RuntimeError("listener bug")

    breaker = CircuitBreaker(
        "dog_rex", CircuitBreakerConfig(failure_threshold=1), on_transition=broken
    )
    with pytest.raises(ApiError):
        await breaker.call(fail)
    assert breaker.state is CircuitState.OPEN
    assert "Error in transition listener of 'dog_rex'" in caplog.text


async def test_logs_one_warning_when_opening(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Opening logs one warning with name and last error; recovery logs info."""
    breaker = make(clock, CircuitBreakerConfig(success_threshold=1))
    caplog.set_level(logging.DEBUG, "custom_components.pawcontrol.resilience")
    await trip(breaker)
    for _ in range(5):
        with pytest.raises(CircuitBreakerOpenError):
            await breaker.call(ok)
    clock.advance(30)
    with pytest.raises(ApiError):
        await breaker.call(fail)
    clock.advance(60)
    await breaker.call(ok)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "dog_rex" in warnings[0].getMessage()
    assert "ApiError: boom" in warnings[0].getMessage()
    assert warnings[0].name.startswith("custom_components.pawcontrol.resilience")
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert [r.getMessage() for r in infos] == [
        "Circuit breaker 'dog_rex' closed: service recovered"
    ]


async def test_snapshot_restore_round_trip(clock: FakeClock) -> None:
    """An open breaker restored later is open for the rest of its period."""
    breaker = make(clock)
    await trip(breaker)
    clock.advance(10)
    snapshot = json.loads(json.dumps(breaker.snapshot()))
    events: list[TransitionEvent] = []
    other_clock = FakeClock(5.0)
    restored = make(other_clock, events=events)
    restored.restore(snapshot, elapsed=5)
    assert restored.state is CircuitState.OPEN
    assert restored.open_remaining == pytest.approx(15)
    assert events[0].reason == "restored"
    stats = restored.stats()
    assert stats["total_failures"] == 3
    assert stats["last_error"] == "ApiError: boom"
    assert stats["last_state_change"] == breaker.stats()["last_state_change"]


@pytest.mark.parametrize(
    ("elapsed", "remaining"), [(-3600, 20.0), (3600, 0.0), (19, 1.0)]
)
async def test_restore_clamps_elapsed(
    clock: FakeClock, elapsed: float, remaining: float
) -> None:
    """Elapsed time is clamped to [0, open duration]."""
    breaker = make(clock)
    await trip(breaker)
    clock.advance(10)
    restored = make(clock)
    restored.restore(breaker.snapshot(), elapsed=elapsed)
    assert restored.open_remaining == pytest.approx(remaining)
    assert restored.expire_open_period() is (remaining == 0)


async def test_restore_half_open_and_closed(clock: FakeClock) -> None:
    """Half-open restores half-open with free permits; closed keeps its count."""
    breaker = make(clock)
    await trip(breaker)
    clock.advance(30)
    await breaker.call(ok)
    restored = make(clock)
    restored.restore(breaker.snapshot(), elapsed=0)
    assert restored.state is CircuitState.HALF_OPEN
    assert restored.stats()["success_count"] == 0
    closed = make(clock)
    await trip(closed, 2)
    again = make(clock, CircuitBreakerConfig(failure_threshold=2))
    again.restore(closed.snapshot(), elapsed=0)
    assert again.state is CircuitState.CLOSED
    assert again.stats()["failure_count"] == 1


@pytest.mark.parametrize(
    "change",
    [
        {"state": "broken"},
        {"total_calls": -1},
        {"total_calls": True},
        {"open_base": "x"},
        {"failure_count": None},
    ],
)
async def test_restore_rejects_malformed(
    clock: FakeClock, change: dict[str, Any]
) -> None:
    """A malformed snapshot raises and leaves the breaker unchanged."""
    breaker = make(clock)
    await trip(breaker)
    snapshot = breaker.snapshot() | change
    target = make(clock)
    with pytest.raises((KeyError, TypeError, ValueError)):
        target.restore(snapshot, elapsed=0)
    assert target.stats()["total_calls"] == 0
    assert target.state is CircuitState.CLOSED
