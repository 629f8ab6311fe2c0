"""Circuit breaker for asyncio: CLOSED -> OPEN -> HALF_OPEN -> CLOSED.

Pure asyncio, no Home Assistant import: the benchmark loads this module alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import logging
import math
import random as _random
import re
import time
from typing import Any, Final, TypedDict, override

from .throttle import RetryThrottle

_LOGGER = logging.getLogger(__name__)

MAX_BACKOFF_FACTOR: Final = 10
"""The base open duration never exceeds this many times ``timeout_seconds``."""
OPEN_JITTER: Final = 0.1
"""Each open period lasts ``base * (1 + OPEN_JITTER * random())``."""
LAST_ERROR_MAX_LENGTH: Final = 200

_SECRET_RE: Final = re.compile(
    r"(?i)\b(bearer|token|api[_-]?key|apikey|password|passwd|secret|authorization)"
    r"(\s*[=:]\s*|\s+)((?:bearer|basic|token)\s+)?([^\s&,;'\"]+)"
)
_USERINFO_RE: Final = re.compile(r"://[^/\s@]+@")


class CircuitState(StrEnum):
    """State of a circuit breaker."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


_CLOSED: Final = CircuitState.CLOSED
_OPEN: Final = CircuitState.OPEN
_HALF_OPEN: Final = CircuitState.HALF_OPEN


@dataclass(frozen=True, slots=True)
class CircuitBreakerConfig:
    """Thresholds and timing of a circuit breaker.

    ``excluded_exceptions`` (types) and ``exclude`` (a predicate) mark errors
    that pass through and count as neither failure nor success, such as a
    caller's invalid input.
    """

    failure_threshold: int = 3
    success_threshold: int = 2
    timeout_seconds: float = 30.0
    half_open_max_calls: int = 2
    excluded_exceptions: tuple[type[BaseException], ...] = ()
    exclude: Callable[[BaseException], bool] | None = None

    def __post_init__(self) -> None:
        """Reject non-positive thresholds and timeouts."""
        for field in ("failure_threshold", "success_threshold", "half_open_max_calls"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{field} must be a positive integer, got {value!r}")
        timeout = self.timeout_seconds
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not math.isfinite(timeout)
            or timeout <= 0
        ):
            raise ValueError(f"timeout_seconds must be positive, got {timeout!r}")
        if not isinstance(self.excluded_exceptions, tuple) or not all(
            isinstance(exc, type) and issubclass(exc, BaseException)
            for exc in self.excluded_exceptions
        ):
            raise ValueError("excluded_exceptions must be a tuple of exception types")


class CircuitBreakerOpenError(Exception):
    """The breaker rejected a call without running it."""

    def __init__(self, circuit_name: str, retry_after: float) -> None:
        """Store the circuit name and the seconds until a probe is allowed."""
        # The message is formatted only when shown: rejections must be cheap.
        super().__init__(circuit_name, retry_after)
        self.circuit_name = circuit_name
        self.retry_after = retry_after

    @override
    def __str__(self) -> str:
        """Return a readable message."""
        return (
            f"Circuit breaker '{self.circuit_name}' is open; "
            f"retry in {self.retry_after:.1f}s"
        )


@dataclass(frozen=True, slots=True)
class TransitionEvent:
    """A state change of one breaker, given to ``on_transition``."""

    circuit_name: str
    from_state: CircuitState
    to_state: CircuitState
    failure_count: int
    reason: str
    last_error: str | None


class BreakerStats(TypedDict):
    """JSON-safe statistics of one breaker."""

    name: str
    state: str
    failure_count: int
    success_count: int
    total_calls: int
    total_successes: int
    total_failures: int
    rejected_calls: int
    opened_count: int
    last_failure_time: str | None
    last_success_time: str | None
    last_state_change: str | None
    last_error: str | None
    open_remaining: float | None


def format_error(err: BaseException) -> str:
    """Return ``"Type: message"`` with credentials masked, at most 200 characters."""
    message = _USERINFO_RE.sub("://***@", str(err))
    message = _SECRET_RE.sub(r"\1\2\3***", message)
    text = f"{type(err).__name__}: {message}" if message else type(err).__name__
    return text[:LAST_ERROR_MAX_LENGTH]


def retry_after_hint(err: BaseException) -> float | None:
    """Return the error's finite, non-negative ``retry_after`` hint, if any."""
    hint = getattr(err, "retry_after", None)
    if isinstance(hint, bool) or not isinstance(hint, int | float):
        return None
    if not math.isfinite(hint) or hint < 0:
        return None
    return float(hint)


def _wall_time() -> float:
    """Return the wall-clock time; looked up per call so tests can freeze it."""
    return time.time()


def _iso(timestamp: float | None) -> str | None:
    """Return a POSIX timestamp as an ISO-8601 UTC string."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


class CircuitBreaker:
    """Async circuit breaker with half-open permits and state periods.

    Every state change starts a new period (a generation number); the outcome
    of a call admitted in an earlier period updates the totals but never the
    current state. ``asyncio.CancelledError`` and excluded errors are neutral.
    """

    __slots__ = (
        "_clock",
        "_config",
        "_failure_count",
        "_generation",
        "_half_open_in_flight",
        "_last_error",
        "_last_failure_time",
        "_last_state_change",
        "_last_success_time",
        "_open_base",
        "_open_duration",
        "_open_until",
        "_opened_count",
        "_random",
        "_rejected_calls",
        "_state",
        "_success_count",
        "_throttle",
        "_total_calls",
        "_total_failures",
        "_total_successes",
        "_wall_clock",
        "name",
        "on_transition",
    )

    def __init__(
        self,
        name: str,
        config: CircuitBreakerConfig = CircuitBreakerConfig(),
        *,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        wall_clock: Callable[[], float] = _wall_time,
        on_transition: Callable[[TransitionEvent], None] | None = None,
    ) -> None:
        """Create a closed breaker; ``clock`` must be monotonic."""
        self.name = name
        self.on_transition = on_transition
        self._config = config
        self._clock = clock
        self._random = random
        self._wall_clock = wall_clock
        self._state = _CLOSED
        self._generation = 0
        self._failure_count = 0
        self._success_count = 0
        self._half_open_in_flight = 0
        self._total_calls = 0
        self._total_successes = 0
        self._total_failures = 0
        self._rejected_calls = 0
        self._opened_count = 0
        self._open_base = config.timeout_seconds
        self._open_duration = 0.0
        self._open_until = 0.0
        self._last_failure_time: float | None = None
        self._last_success_time: float | None = None
        self._last_state_change: float | None = None
        self._last_error: str | None = None
        self._throttle: RetryThrottle | None = None

    @property
    def config(self) -> CircuitBreakerConfig:
        """Return the configuration."""
        return self._config

    @config.setter
    def config(self, config: CircuitBreakerConfig) -> None:
        """Replace the configuration; the state and counters are kept."""
        self._config = config
        limit = config.timeout_seconds * MAX_BACKOFF_FACTOR
        self._open_base = min(max(self._open_base, config.timeout_seconds), limit)

    @property
    def state(self) -> CircuitState:
        """Return the state; an elapsed open period already reads half-open."""
        if self._state is _OPEN and self._clock() >= self._open_until:
            self._transition(_HALF_OPEN, "timeout_elapsed")
        return self._state

    @property
    def throttle(self) -> RetryThrottle:
        """Return the retry throttle (token bucket) of this breaker."""
        if self._throttle is None:
            self._throttle = RetryThrottle()
        return self._throttle

    @property
    def open_remaining(self) -> float | None:
        """Return the seconds until a probe is allowed, or None when not open."""
        if self.state is not _OPEN:
            return None
        return max(0.0, self._open_until - self._clock())

    async def call[**P, T](
        self,
        func: Callable[P, Awaitable[T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``func(*args, **kwargs)`` through the breaker.

        Raise `CircuitBreakerOpenError` at once, without calling ``func``, when
        the breaker is open or all half-open permits are taken.
        """
        if self._state is not _CLOSED:
            self._admit()
        generation = self._generation
        self._total_calls += 1
        try:
            result = await func(*args, **kwargs)
        except Exception as err:
            self._on_error(err, generation)
            raise
        except BaseException:
            # CancelledError (and interpreter exits) are neither outcome.
            self._release(generation)
            raise
        self._total_successes += 1
        self._last_success_time = self._wall_clock()
        if generation == self._generation and self._state is _CLOSED:
            self._failure_count = 0
        else:
            self._on_success(generation)
        return result

    def acquire(self) -> int:
        """Admit one call and return its period token for `record_success`/`record_error`.

        Raise `CircuitBreakerOpenError` when the call is rejected. Every admitted
        call must be finished with exactly one of those two methods.
        """
        if self._state is not _CLOSED:
            self._admit()
        self._total_calls += 1
        return self._generation

    def record_success(self, token: int) -> None:
        """Record the success of a call admitted by `acquire`."""
        self._total_successes += 1
        self._last_success_time = self._wall_clock()
        if token == self._generation and self._state is _CLOSED:
            self._failure_count = 0
        else:
            self._on_success(token)

    def record_error(self, err: BaseException, token: int) -> None:
        """Record how a call admitted by `acquire` ended with ``err``.

        Only an `Exception` that is not excluded is a failure; cancellation
        and other `BaseException`s give their half-open permit back.
        """
        if isinstance(err, Exception):
            self._on_error(err, token)
        else:
            self._release(token)

    def reset(self) -> None:
        """Close the breaker and clear its counters; totals are kept."""
        self._failure_count = 0
        self._success_count = 0
        self._open_base = self._config.timeout_seconds
        if self._state is _CLOSED:
            self._generation += 1
            self._half_open_in_flight = 0
        else:
            self._transition(_CLOSED, "reset")

    def stats(self) -> BreakerStats:
        """Return JSON-safe statistics."""
        state = self.state
        remaining = (
            max(0.0, self._open_until - self._clock()) if state is _OPEN else None
        )
        return {
            "name": self.name,
            "state": state.value,
            "failure_count": self._failure_count,
            "success_count": self._success_count,
            "total_calls": self._total_calls,
            "total_successes": self._total_successes,
            "total_failures": self._total_failures,
            "rejected_calls": self._rejected_calls,
            "opened_count": self._opened_count,
            "last_failure_time": _iso(self._last_failure_time),
            "last_success_time": _iso(self._last_success_time),
            "last_state_change": _iso(self._last_state_change),
            "last_error": self._last_error,
            "open_remaining": remaining,
        }

    def snapshot(self) -> dict[str, Any]:
        """Return the JSON-safe state to persist across a restart."""
        state = self.state
        return {
            "state": state.value,
            "failure_count": self._failure_count,
            "success_count": self._success_count,
            "total_calls": self._total_calls,
            "total_successes": self._total_successes,
            "total_failures": self._total_failures,
            "rejected_calls": self._rejected_calls,
            "opened_count": self._opened_count,
            "open_base": self._open_base,
            "open_duration": self._open_duration,
            "open_remaining": (
                max(0.0, self._open_until - self._clock()) if state is _OPEN else None
            ),
            "last_failure_time": self._last_failure_time,
            "last_success_time": self._last_success_time,
            "last_state_change": self._last_state_change,
            "last_error": self._last_error,
        }

    def restore(self, snapshot: Mapping[str, Any], *, elapsed: float) -> None:
        """Restore a `snapshot`, taken ``elapsed`` wall-clock seconds ago.

        An open breaker stays open for the rest of its open period; the elapsed
        time is clamped to ``[0, open duration]`` so a clock jump can neither
        extend nor skip more than one period. Raise `KeyError`, `TypeError` or
        `ValueError` on a malformed snapshot, leaving the breaker unchanged.
        """
        state = CircuitState(snapshot["state"])
        counters = {
            key: _non_negative_int(snapshot[key])
            for key in (
                "failure_count",
                "total_calls",
                "total_successes",
                "total_failures",
                "rejected_calls",
                "opened_count",
            )
        }
        limit = self._config.timeout_seconds * MAX_BACKOFF_FACTOR
        base = min(
            max(float(snapshot["open_base"]), self._config.timeout_seconds), limit
        )
        duration = max(0.0, float(snapshot["open_duration"]))
        remaining = 0.0
        if state is _OPEN:
            elapsed = min(max(0.0, elapsed), duration)
            remaining = max(0.0, float(snapshot["open_remaining"]) - elapsed)
        times = [
            _optional_float(snapshot.get(key))
            for key in ("last_failure_time", "last_success_time", "last_state_change")
        ]
        last_error = snapshot.get("last_error")
        self._failure_count = counters["failure_count"]
        self._total_calls = counters["total_calls"]
        self._total_successes = counters["total_successes"]
        self._total_failures = counters["total_failures"]
        self._rejected_calls = counters["rejected_calls"]
        self._opened_count = counters["opened_count"]
        self._last_failure_time, self._last_success_time, self._last_state_change = (
            times
        )
        self._last_error = (
            str(last_error)[:LAST_ERROR_MAX_LENGTH] if last_error is not None else None
        )
        self._success_count = 0
        self._open_base = base
        self._open_duration = duration
        self._open_until = self._clock() + remaining
        if state is _CLOSED:
            self._failure_count = min(
                self._failure_count, self._config.failure_threshold - 1
            )
        if state is not self._state:
            self._transition(state, "restored", stamp=False)

    def _admit(self) -> None:
        """Admit a call in OPEN or HALF_OPEN state, or raise."""
        if self._state is _OPEN:
            remaining = self._open_until - self._clock()
            if remaining > 0:
                self._rejected_calls += 1
                raise CircuitBreakerOpenError(self.name, remaining)
            self._transition(_HALF_OPEN, "timeout_elapsed")
        # Only HALF_OPEN is left: the caller checked for CLOSED.
        if self._half_open_in_flight >= self._config.half_open_max_calls:
            self._rejected_calls += 1
            raise CircuitBreakerOpenError(self.name, 0.0)
        self._half_open_in_flight += 1

    def _release(self, generation: int) -> None:
        """Give back a half-open permit held by a call of this period."""
        if generation == self._generation and self._state is _HALF_OPEN:
            self._half_open_in_flight -= 1

    def _is_excluded(self, err: BaseException) -> bool:
        """Return whether ``err`` counts as neither failure nor success."""
        config = self._config
        if config.excluded_exceptions and isinstance(err, config.excluded_exceptions):
            return True
        return config.exclude is not None and config.exclude(err)

    def _on_error(self, err: Exception, generation: int) -> None:
        """Record a failed call, unless the error is excluded."""
        if self._is_excluded(err):
            self._release(generation)
            return
        self._total_failures += 1
        self._last_failure_time = self._wall_clock()
        self._last_error = format_error(err)
        if generation != self._generation:
            return
        self._failure_count += 1
        if self._state is _HALF_OPEN:
            limit = self._config.timeout_seconds * MAX_BACKOFF_FACTOR
            self._open_base = min(self._open_base * 2, limit)
            self._open(retry_after_hint(err), "probe_failed")
        elif self._failure_count >= self._config.failure_threshold:
            self._open_base = self._config.timeout_seconds
            self._open(retry_after_hint(err), "failure_threshold")

    def _on_success(self, generation: int) -> None:
        """Record a success outside the closed fast path."""
        if generation != self._generation:
            return
        # Only HALF_OPEN is left: an OPEN period admits no call.
        self._half_open_in_flight -= 1
        self._failure_count = 0
        self._success_count += 1
        if self._success_count >= self._config.success_threshold:
            self._success_count = 0
            self._open_base = self._config.timeout_seconds
            self._transition(_CLOSED, "probe_succeeded")

    def _open(self, hint: float | None, reason: str) -> None:
        """Open the breaker for one jittered period of the current base."""
        duration = self._open_base * (1 + OPEN_JITTER * self._random())
        if hint is not None and hint > duration:
            duration = hint
        self._open_duration = duration
        self._open_until = self._clock() + duration
        self._opened_count += 1
        self._success_count = 0
        self._transition(_OPEN, reason)

    def _transition(
        self, to_state: CircuitState, reason: str, *, stamp: bool = True
    ) -> None:
        """Enter ``to_state``, start a new period and tell the listener."""
        from_state = self._state
        self._state = to_state
        self._generation += 1
        self._half_open_in_flight = 0
        if stamp:
            self._last_state_change = self._wall_clock()
        if to_state is _CLOSED:
            self._failure_count = 0
            self._success_count = 0
        if reason == "failure_threshold":
            _LOGGER.warning(
                "Circuit breaker '%s' opened after %s consecutive failures: %s",
                self.name,
                self._failure_count,
                self._last_error,
            )
        elif reason == "probe_succeeded":
            _LOGGER.info("Circuit breaker '%s' closed: service recovered", self.name)
        else:
            _LOGGER.debug(
                "Circuit breaker '%s': %s -> %s (%s)",
                self.name,
                from_state.value,
                to_state.value,
                reason,
            )
        callback = self.on_transition
        if callback is None:
            return
        event = TransitionEvent(
            circuit_name=self.name,
            from_state=from_state,
            to_state=to_state,
            failure_count=self._failure_count,
            reason=reason,
            last_error=self._last_error,
        )
        try:
            callback(event)
        except Exception:
            # A listener's bug must not turn a call's outcome into an error.
            _LOGGER.exception("Error in transition listener of '%s'", self.name)


def _non_negative_int(value: Any) -> int:
    """Return ``value`` as a non-negative int or raise `ValueError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a non-negative integer, got {value!r}")
    return value


def _optional_float(value: Any) -> float | None:
    """Return ``value`` as a float, or None."""
    return None if value is None else float(value)
