"""Retry with capped exponential backoff and equal jitter.

Pure asyncio, no Home Assistant import: the benchmark loads this module alone.

An error is *not transient*, and therefore never retried, when it has the
attribute ``transient = False`` (usually a class attribute of the API client's
authentication, not-found and invalid-input errors). An error with a
``retry_after`` attribute (seconds, as from HTTP 429/503) waits at least that
long, or ends the retries when the hint exceeds ``max_delay``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
import math
import random as _random
from typing import TYPE_CHECKING, TypedDict

from .breaker import (
    CircuitBreakerOpenError,
    CircuitState,
    format_error,
    retry_after_hint,
)

if TYPE_CHECKING:
    from .breaker import CircuitBreaker
    from .throttle import RetryThrottle

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryConfig:
    """How often and how patiently to retry."""

    max_attempts: int = 3
    initial_delay: float = 1.0
    max_delay: float = 5.0
    exponential_base: float = 2.0
    jitter: bool = True

    def __post_init__(self) -> None:
        """Reject impossible settings."""
        if (
            isinstance(self.max_attempts, bool)
            or not isinstance(self.max_attempts, int)
            or self.max_attempts < 1
        ):
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts!r}")
        for field in ("initial_delay", "max_delay", "exponential_base"):
            value = getattr(self, field)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise ValueError(f"{field} must be a finite number, got {value!r}")
        if self.initial_delay < 0 or self.max_delay < 0:
            raise ValueError("delays must not be negative")
        if self.initial_delay > self.max_delay:
            raise ValueError("initial_delay must not exceed max_delay")
        if self.exponential_base < 1:
            raise ValueError("exponential_base must be >= 1")


class RetryStatsDict(TypedDict):
    """JSON-safe retry statistics of one component."""

    operations: int
    retries: int
    recovered: int
    exhausted: int
    retry_success_rate: float | None


@dataclass(slots=True)
class RetryStats:
    """Counters of one component's retried operations.

    ``recovered``: operations that succeeded after at least one retry.
    ``exhausted``: operations that failed after at least one retry.
    """

    operations: int = 0
    retries: int = 0
    recovered: int = 0
    exhausted: int = 0

    def as_dict(self) -> RetryStatsDict:
        """Return the counters and ``recovered / (recovered + exhausted)``."""
        finished = self.recovered + self.exhausted
        return {
            "operations": self.operations,
            "retries": self.retries,
            "recovered": self.recovered,
            "exhausted": self.exhausted,
            "retry_success_rate": self.recovered / finished if finished else None,
        }


def is_transient(err: BaseException) -> bool:
    """Return whether retrying ``err`` may help."""
    if isinstance(err, CircuitBreakerOpenError | asyncio.CancelledError):
        return False
    return getattr(err, "transient", True) is not False


def retry_delay(
    config: RetryConfig, retry: int, random: Callable[[], float] = _random.random
) -> float:
    """Return the delay before retry number ``retry`` (1 for the first retry).

    ``cap = min(max_delay, initial_delay * exponential_base ** (retry - 1))``;
    with jitter the delay is ``uniform(cap / 2, cap)`` ("equal jitter": never
    an immediate retry of a source that just failed, still spread out), as the
    v1.0.1 release documented it (0.5-1 s, then 1-2 s with the defaults).
    """
    exponent = retry - 1
    try:
        cap = config.initial_delay * config.exponential_base**exponent
    except OverflowError:
        cap = config.max_delay
    cap = min(config.max_delay, cap)
    return cap * (0.5 + 0.5 * random()) if config.jitter else cap


async def async_retry[T](
    func: Callable[[], Awaitable[T]],
    config: RetryConfig,
    *,
    name: str,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    random: Callable[[], float] = _random.random,
    throttle: RetryThrottle | None = None,
    stats: RetryStats | None = None,
    breaker: CircuitBreaker | None = None,
) -> T:
    """Call the zero-argument coroutine function ``func`` with retries.

    Make at most ``config.max_attempts`` attempts. Raise the last error when an
    attempt fails with a non-transient error, `CircuitBreakerOpenError` or a
    ``retry_after`` hint above ``max_delay``, when the attempts are used up,
    when ``throttle`` has too few tokens, or when ``breaker`` has opened.
    `asyncio.CancelledError` propagates at once.
    """
    if stats is not None:
        stats.operations += 1
    try:
        result = await func()
    except Exception as err:
        return await _async_retry_slow(
            func,
            config,
            err,
            name=name,
            sleep=sleep,
            random=random,
            throttle=throttle,
            stats=stats,
            breaker=breaker,
        )
    if throttle is not None:
        throttle.record_success()
    return result


async def async_retry_with_breaker[T](
    breaker: CircuitBreaker,
    func: Callable[[], Awaitable[T]],
    config: RetryConfig,
    *,
    name: str | None = None,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    random: Callable[[], float] = _random.random,
    stats: RetryStats | None = None,
) -> T:
    """Run the whole retry sequence of ``func`` as one call through ``breaker``.

    The same as ``breaker.call(async_retry, func, config, throttle=
    breaker.throttle, breaker=breaker, ...)`` in one coroutine: one operation is
    one breaker outcome, the breaker's throttle limits the retries, and no
    retry starts once the breaker has opened.
    """
    token = breaker.acquire()
    throttle = breaker.throttle
    if stats is not None:
        stats.operations += 1
    try:
        result = await func()
    except Exception as err:
        try:
            result = await _async_retry_slow(
                func,
                config,
                err,
                name=breaker.name if name is None else name,
                sleep=sleep,
                random=random,
                throttle=throttle,
                stats=stats,
                breaker=breaker,
            )
        except BaseException as final:
            breaker.record_error(final, token)
            raise
    except BaseException as err:
        breaker.record_error(err, token)
        raise
    else:
        throttle.record_success()
    breaker.record_success(token)
    return result


async def _async_retry_slow[T](
    func: Callable[[], Awaitable[T]],
    config: RetryConfig,
    err: Exception,
    *,
    name: str,
    sleep: Callable[[float], Awaitable[object]],
    random: Callable[[], float],
    throttle: RetryThrottle | None,
    stats: RetryStats | None,
    breaker: CircuitBreaker | None,
) -> T:
    """Continue `async_retry` after the first attempt failed with ``err``."""
    attempt = 1
    while True:
        delay = _next_delay(
            config,
            err,
            attempt,
            name=name,
            random=random,
            throttle=throttle,
            breaker=breaker,
        )
        if delay is None:
            if stats is not None and attempt > 1:
                stats.exhausted += 1
            raise err
        _LOGGER.debug(
            "Retry attempt %d/%d for %s in %.2fs: %s",
            attempt + 1,
            config.max_attempts,
            name,
            delay,
            # "Type: message" with credentials masked, as in the statistics.
            format_error(err),
        )
        if stats is not None:
            stats.retries += 1
        await sleep(delay)
        attempt += 1
        try:
            result = await func()
        except Exception as next_err:
            err = next_err
            continue
        if throttle is not None:
            throttle.record_success()
        if stats is not None:
            stats.recovered += 1
        return result


def _next_delay(
    config: RetryConfig,
    err: Exception,
    attempt: int,
    *,
    name: str,
    random: Callable[[], float],
    throttle: RetryThrottle | None,
    breaker: CircuitBreaker | None,
) -> float | None:
    """Return the delay before the next attempt, or None to stop retrying."""
    # A non-transient error (401, 404) is never retried: it costs no retry token.
    if not is_transient(err):
        return None
    if throttle is not None:
        throttle.record_failure()
    if attempt >= config.max_attempts:
        return None
    if throttle is not None and not throttle.allow_retry():
        _LOGGER.debug("Retry throttled for %s: %s", name, format_error(err))
        return None
    if breaker is not None and breaker.state is CircuitState.OPEN:
        return None
    delay = retry_delay(config, attempt, random)
    hint = retry_after_hint(err)
    if hint is not None:
        if hint > config.max_delay:
            _LOGGER.debug("Not retrying %s: retry-after %.1fs is too long", name, hint)
            return None
        delay = max(delay, hint)
    return delay
