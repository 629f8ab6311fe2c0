"""Tests for retry with backoff, jitter, hints and throttling (semantics 8, 9)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from typing import Any

import pytest

from custom_components.pawcontrol.resilience import (
    CircuitBreaker,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    CircuitState,
    RetryConfig,
    RetryStats,
    RetryThrottle,
    async_retry,
    async_retry_with_breaker,
    is_transient,
)
from custom_components.pawcontrol.resilience.retry import retry_delay

from .conftest import FakeClock, FakeSleep


class ApiError(Exception):
    """A transient failure."""


class AuthError(ApiError):
    """A failure that retrying cannot fix."""

    transient = False


class BusyError(ApiError):
    """A failure with a retry-after hint."""

    def __init__(self, retry_after: float | None) -> None:
        """Store the hint."""
        super().__init__(f"busy, retry after {retry_after}")
        self.retry_after = retry_after


def flaky(
    *outcomes: BaseException | str,
) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    """Return a function that raises or returns the outcomes in turn, and its call log."""
    calls: list[int] = []

    async def func() -> str:
        calls.append(len(calls) + 1)
        outcome = outcomes[len(calls) - 1]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return func, calls


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"max_attempts": True},
        {"max_attempts": 2.0},
        {"initial_delay": -1.0},
        {"max_delay": -1.0, "initial_delay": -2.0},
        {"initial_delay": 6.0},
        {"exponential_base": 0.5},
        {"initial_delay": float("nan")},
        {"max_delay": "5"},
        {"exponential_base": False},
    ],
)
def test_config_rejects_invalid_values(kwargs: dict[str, Any]) -> None:
    """Impossible settings raise ValueError."""
    with pytest.raises(ValueError, match="must"):
        RetryConfig(**kwargs)


def test_config_defaults() -> None:
    """The defaults are those of the v1.0.1 package."""
    assert RetryConfig() == RetryConfig(3, 1.0, 5.0, 2.0, True)


@pytest.mark.parametrize(
    ("retry", "expected"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (10_000, 5.0)]
)
def test_delay_caps_without_jitter(retry: int, expected: float) -> None:
    """Without jitter the delay is min(max_delay, initial * base^(n-1))."""
    assert retry_delay(RetryConfig(jitter=False), retry) == expected


def test_delay_equal_jitter() -> None:
    """With jitter the delay is uniform(cap / 2, cap): never an immediate retry."""
    config = RetryConfig(max_attempts=5)
    assert retry_delay(config, 3, lambda: 0.0) == 2.0
    assert retry_delay(config, 3, lambda: 1.0) == 4.0
    assert retry_delay(config, 3, lambda: 0.5) == 3.0
    assert retry_delay(RetryConfig(exponential_base=1.0), 50, lambda: 0.0) == 0.5


@pytest.mark.parametrize(
    ("draw", "first", "second"), [(0.0, 0.5, 1.0), (1.0, 1.0, 2.0)]
)
async def test_v101_documented_gps_timing(
    sleep: FakeSleep, draw: float, first: float, second: float
) -> None:
    """Defaults: retry after 0.5-1 s, then after 1-2 s, as v1.0.1 documented it."""
    func, calls = flaky(ApiError(), ApiError(), ApiError(), "never")
    with pytest.raises(ApiError):
        await async_retry(
            func, RetryConfig(), name="gps", sleep=sleep, random=lambda: draw
        )
    assert calls == [1, 2, 3]
    assert sleep.delays == [first, second]


async def test_success_needs_no_retry(sleep: FakeSleep) -> None:
    """A first success returns at once."""
    func, calls = flaky("ok")
    stats = RetryStats()
    assert (
        await async_retry(func, RetryConfig(), name="gps", sleep=sleep, stats=stats)
        == "ok"
    )
    assert calls == [1]
    assert sleep.delays == []
    assert stats.as_dict() == {
        "operations": 1,
        "retries": 0,
        "recovered": 0,
        "exhausted": 0,
        "retry_success_rate": None,
    }


async def test_retries_then_recovers(
    sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    """Transient errors are retried with growing delays; the success is returned."""
    caplog.set_level(logging.DEBUG, "custom_components.pawcontrol.resilience")
    func, calls = flaky(ApiError("down"), ApiError("still down"), "ok")
    stats = RetryStats()
    result = await async_retry(
        func,
        RetryConfig(jitter=False),
        name="weather",
        sleep=sleep,
        stats=stats,
    )
    assert result == "ok"
    assert calls == [1, 2, 3]
    assert sleep.delays == [1.0, 2.0]
    assert stats.as_dict() == {
        "operations": 1,
        "retries": 2,
        "recovered": 1,
        "exhausted": 0,
        "retry_success_rate": 1.0,
    }
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert "Retry attempt 2/3 for weather in 1.00s: ApiError: down" in messages
    assert "Retry attempt 3/3 for weather in 2.00s: ApiError: still down" in messages


async def test_jittered_delays_use_random(sleep: FakeSleep) -> None:
    """The injected random draws each delay within its cap."""
    func, _ = flaky(ApiError(), ApiError(), "ok")
    await async_retry(func, RetryConfig(), name="x", sleep=sleep, random=lambda: 0.25)
    assert sleep.delays == [0.625, 1.25]


async def test_attempts_are_total(sleep: FakeSleep) -> None:
    """max_attempts counts all attempts; the last error is raised."""
    func, calls = flaky(ApiError("1"), ApiError("2"), ApiError("3"), "never")
    stats = RetryStats()
    with pytest.raises(ApiError, match="3"):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, stats=stats)
    assert calls == [1, 2, 3]
    assert stats.as_dict()["exhausted"] == 1
    assert stats.as_dict()["retry_success_rate"] == 0.0


async def test_single_attempt_failure_is_not_exhausted(sleep: FakeSleep) -> None:
    """A failure without any retry counts neither recovered nor exhausted."""
    func, _ = flaky(ApiError())
    stats = RetryStats()
    with pytest.raises(ApiError):
        await async_retry(func, RetryConfig(max_attempts=1), name="x", stats=stats)
    assert (stats.operations, stats.retries, stats.exhausted) == (1, 0, 0)


@pytest.mark.parametrize(
    "error",
    [
        AuthError("token refused"),
        CircuitBreakerOpenError("dog_rex", 12.0),
    ],
)
async def test_not_retried(sleep: FakeSleep, error: Exception) -> None:
    """Non-transient errors and open-breaker rejections are raised at once."""
    func, calls = flaky(error, "never")
    with pytest.raises(type(error)):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep)
    assert calls == [1]
    assert sleep.delays == []


async def test_non_transient_errors_cost_no_retry_token(sleep: FakeSleep) -> None:
    """A refused token (reauth) does not drain the retry budget of the source."""
    throttle = RetryThrottle()
    for _ in range(20):
        func, _calls = flaky(AuthError("token refused"), "never")
        with pytest.raises(AuthError):
            await async_retry(
                func, RetryConfig(), name="x", sleep=sleep, throttle=throttle
            )
    assert throttle.tokens == 10
    func, calls = flaky(ApiError(), "ok")
    assert (
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, throttle=throttle)
        == "ok"
    )
    assert calls == [1, 2]


async def test_throttled_log_line_is_masked(
    sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    """The "Retry throttled" line masks credentials like the statistics do."""
    caplog.set_level(logging.DEBUG, "custom_components.pawcontrol.resilience")
    throttle = RetryThrottle()
    for _ in range(5):
        throttle.record_failure()
    func, _calls = flaky(ApiError("GET /status?token=s3cr3t failed"), "never")
    with pytest.raises(ApiError):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, throttle=throttle)
    assert "Retry throttled for x" in caplog.text
    assert "s3cr3t" not in caplog.text


async def test_non_transient_after_a_retry_is_exhausted(sleep: FakeSleep) -> None:
    """A non-transient error on a retry stops and counts as exhausted."""
    func, calls = flaky(ApiError(), AuthError(), "never")
    stats = RetryStats()
    with pytest.raises(AuthError):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, stats=stats)
    assert calls == [1, 2]
    assert stats.exhausted == 1


def test_is_transient() -> None:
    """Only an explicit transient = False marks an error as not transient."""
    assert is_transient(ApiError())
    assert not is_transient(AuthError())
    assert not is_transient(asyncio.CancelledError())
    assert not is_transient(CircuitBreakerOpenError("x", 1.0))


async def test_cancel_propagates_at_once(sleep: FakeSleep) -> None:
    """CancelledError from the function is not retried."""
    func, calls = flaky(asyncio.CancelledError(), "never")
    stats = RetryStats()
    with pytest.raises(asyncio.CancelledError):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, stats=stats)
    assert calls == [1]
    assert (stats.recovered, stats.exhausted) == (0, 0)


async def test_cancel_during_backoff(clock: FakeClock) -> None:
    """Cancelling while waiting between attempts stops the retries."""
    func, calls = flaky(ApiError(), "never")
    waiting = asyncio.Event()

    async def slow_sleep(delay: float) -> None:
        waiting.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        async_retry(func, RetryConfig(), name="x", sleep=slow_sleep)
    )
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == [1]


async def test_retry_after_hint_waits_at_least(sleep: FakeSleep) -> None:
    """A hint within max_delay lengthens the wait to at least the hint."""
    func, _ = flaky(BusyError(3.0), BusyError(0.1), BusyError(None), "ok")
    await async_retry(
        func,
        RetryConfig(max_attempts=4, jitter=False),
        name="x",
        sleep=sleep,
    )
    assert sleep.delays == [3.0, 2.0, 4.0]


async def test_retry_after_hint_too_long_stops(sleep: FakeSleep) -> None:
    """A hint above max_delay ends the retries and raises the error."""
    func, calls = flaky(BusyError(60.0), "never")
    with pytest.raises(BusyError):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep)
    assert calls == [1]


def test_throttle_bucket() -> None:
    """Failures cost 1, successes refund 0.1; no retries at or below 5 tokens."""
    throttle = RetryThrottle()
    assert throttle.tokens == 10
    for _ in range(4):
        throttle.record_failure()
    assert throttle.allow_retry()
    throttle.record_failure()
    assert throttle.tokens == 5
    assert not throttle.allow_retry()
    throttle.record_success()
    assert throttle.tokens == pytest.approx(5.1)
    assert throttle.allow_retry()
    for _ in range(20):
        throttle.record_failure()
    assert throttle.tokens == 0
    for _ in range(200):
        throttle.record_success()
    assert throttle.tokens == 10


def test_throttle_rejects_bad_settings() -> None:
    """Non-positive bucket settings raise ValueError."""
    with pytest.raises(ValueError, match="positive"):
        RetryThrottle(max_tokens=0)


async def test_throttle_stops_retries_in_long_outage(sleep: FakeSleep) -> None:
    """During an outage the throttle cuts attempts per operation to one."""
    throttle = RetryThrottle()
    attempts = 0

    async def down() -> None:
        nonlocal attempts
        attempts += 1
        raise ApiError("down")

    for _ in range(10):
        with pytest.raises(ApiError):
            await async_retry(
                down, RetryConfig(), name="x", sleep=sleep, throttle=throttle
            )
    # 3 + 2 attempts until the bucket reaches 5 tokens, then one per operation.
    assert attempts == 5 + 8
    assert throttle.tokens == 0


async def test_breaker_wraps_the_retry_sequence(
    sleep: FakeSleep, clock: FakeClock
) -> None:
    """One operation is one breaker outcome (semantics 9)."""
    breaker = CircuitBreaker(
        "dog_rex", CircuitBreakerConfig(failure_threshold=2), clock=clock
    )
    func, calls = flaky(*(ApiError(str(i)) for i in range(10)))
    for _ in range(2):
        with pytest.raises(ApiError):
            await breaker.call(
                async_retry,
                func,
                RetryConfig(),
                name=breaker.name,
                sleep=sleep,
                throttle=breaker.throttle,
                breaker=breaker,
            )
    # 3 attempts, then 2: the bucket fell to 5 tokens after the fifth failure.
    assert len(calls) == 5
    assert breaker.throttle.tokens == 5
    stats = breaker.stats()
    assert (stats["total_calls"], stats["total_failures"]) == (2, 2)
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitBreakerOpenError):
        await breaker.call(async_retry, func, RetryConfig(), name="x", sleep=sleep)
    assert len(calls) == 5


async def test_no_retry_once_breaker_opened(sleep: FakeSleep, clock: FakeClock) -> None:
    """A retry sequence stops when another operation opened its breaker."""
    breaker = CircuitBreaker(
        "dog_rex", CircuitBreakerConfig(failure_threshold=1), clock=clock
    )
    calls = 0

    async def func() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            # Another operation fails meanwhile and opens the breaker.
            with pytest.raises(ApiError):
                await breaker.call(_fail)
        raise ApiError("down")

    with pytest.raises(ApiError):
        await async_retry(func, RetryConfig(), name="x", sleep=sleep, breaker=breaker)
    assert calls == 1


async def _fail() -> None:
    """Fail."""
    raise ApiError("other")


async def test_successes_refund_the_throttle(sleep: FakeSleep) -> None:
    """First-attempt and recovered successes both refund tokens."""
    throttle = RetryThrottle()
    func, _ = flaky(ApiError(), "ok", "ok")
    await async_retry(func, RetryConfig(), name="x", sleep=sleep, throttle=throttle)
    assert throttle.tokens == pytest.approx(9.1)
    await async_retry(func, RetryConfig(), name="x", sleep=sleep, throttle=throttle)
    assert throttle.tokens == pytest.approx(9.2)


async def test_retry_with_breaker_is_one_outcome(
    sleep: FakeSleep, clock: FakeClock
) -> None:
    """async_retry_with_breaker counts one breaker outcome per operation."""
    breaker = CircuitBreaker(
        "dog_rex", CircuitBreakerConfig(failure_threshold=1), clock=clock
    )
    stats = RetryStats()
    func, calls = flaky(ApiError("blip"), "ok", ApiError("a"), ApiError("b"), "x")
    assert (
        await async_retry_with_breaker(
            breaker, func, RetryConfig(max_attempts=2), sleep=sleep, stats=stats
        )
        == "ok"
    )
    with pytest.raises(ApiError, match="b"):
        await async_retry_with_breaker(
            breaker, func, RetryConfig(max_attempts=2), name="rex", sleep=sleep
        )
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitBreakerOpenError):
        await async_retry_with_breaker(breaker, func, RetryConfig(), sleep=sleep)
    assert len(calls) == 4
    breaker_stats = breaker.stats()
    assert (breaker_stats["total_calls"], breaker_stats["total_successes"]) == (2, 1)
    assert breaker_stats["rejected_calls"] == 1
    assert (stats.operations, stats.recovered) == (1, 1)


@pytest.mark.parametrize("first_fails", [True, False])
async def test_retry_with_breaker_cancel_is_neutral(
    clock: FakeClock, first_fails: bool
) -> None:
    """Cancelling in the first attempt or in a backoff leaves the breaker alone."""
    breaker = CircuitBreaker(
        "dog_rex",
        CircuitBreakerConfig(failure_threshold=1, half_open_max_calls=1),
        clock=clock,
    )
    await breaker.call(_ok)
    with pytest.raises(ApiError):
        await breaker.call(_fail)
    clock.advance(33)
    waiting = asyncio.Event()

    async def func() -> str:
        if first_fails:
            raise ApiError("down")
        waiting.set()
        await asyncio.Event().wait()
        return "never"

    async def slow_sleep(delay: float) -> None:
        waiting.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(
        async_retry_with_breaker(breaker, func, RetryConfig(), sleep=slow_sleep)
    )
    await waiting.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.stats()["total_failures"] == 1
    # The probe permit came back.
    assert await breaker.call(_ok) == "ok"


def test_open_error_message() -> None:
    """The rejection names the circuit and the wait."""
    err = CircuitBreakerOpenError("dog_rex", 12.34)
    assert str(err) == "Circuit breaker 'dog_rex' is open; retry in 12.3s"


async def _ok() -> str:
    """Succeed."""
    return "ok"
