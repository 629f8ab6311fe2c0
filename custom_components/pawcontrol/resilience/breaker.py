"""Circuit breaker for asyncio: CLOSED -> OPEN -> HALF_OPEN -> CLOSED.

Pure asyncio, no Home Assistant import: the benchmark loads this module alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import logging
import math
import random as _random
import time
from typing import Any, Final

from .masking import format_error as _format_error
from .models import (
    BreakerStats,
    CircuitBreakerConfig,
    CircuitBreakerOpenError,
    TransitionEvent,
)
from .record import BreakerRecord
from .state import MAX_BACKOFF_FACTOR, OPEN_JITTER, CircuitState
from .stored import LAST_ERROR_MAX_LENGTH
from .throttle import RetryThrottle

__all__ = [
    "LAST_ERROR_MAX_LENGTH",
    "MAX_BACKOFF_FACTOR",
    "OPEN_JITTER",
    "BreakerStats",
    "CircuitBreaker",
    "CircuitBreakerConfig",
    "CircuitBreakerOpenError",
    "CircuitState",
    "TransitionEvent",
    "format_error",
    "retry_after_hint",
]

_LOGGER = logging.getLogger(__name__)


_CLOSED: Final = CircuitState.CLOSED
_OPEN: Final = CircuitState.OPEN
_HALF_OPEN: Final = CircuitState.HALF_OPEN
_DEFAULT_CONFIG: Final = CircuitBreakerConfig()


def format_error(err: BaseException) -> str:
    """Return ``"Type: message"`` with credentials masked, at most 200 characters."""
    return _format_error(err, LAST_ERROR_MAX_LENGTH)


def retry_after_hint(err: BaseException) -> float | None:
    """Return the error's finite, non-negative ``retry_after`` hint, if any."""
    try:
        hint = getattr(err, "retry_after", None)
    except Exception:  # a hostile property must not replace the caller's error
        return None
    if isinstance(hint, bool) or not isinstance(hint, int | float):
        return None
    if not math.isfinite(hint) or hint < 0:
        return None
    return float(hint)


def _wall_time() -> float:
    """Return the wall-clock time; looked up per call so tests can freeze it."""
    return time.time()


class CircuitBreaker(BreakerRecord):
    """Async circuit breaker with half-open permits and state periods.

    Every state change starts a new period (a generation number); the outcome
    of a call admitted in an earlier period updates the totals but never the
    current state. ``asyncio.CancelledError`` and excluded errors are neutral.
    The counters, `stats` and `snapshot` are those of `BreakerRecord`.
    """

    __slots__ = (
        "_generation",
        "_half_open_in_flight",
        "_random",
        "_throttle",
        "on_transition",
    )

    def __init__(
        self,
        name: str,
        config: CircuitBreakerConfig = _DEFAULT_CONFIG,
        *,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] = _random.random,
        wall_clock: Callable[[], float] = _wall_time,
        on_transition: Callable[[TransitionEvent], None] | None = None,
    ) -> None:
        """Create a closed breaker; ``clock`` must be monotonic."""
        super().__init__(name, config, clock, wall_clock)
        self.on_transition = on_transition
        self._random = random
        self._generation = 0
        self._half_open_in_flight = 0
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
        """Return the state; reading it never changes it.

        An open period that has ended still reads open until the next call or
        `expire_open_period` moves the breaker to half-open, so a transition
        (and everything listening to it) only ever happens in a call made by
        the owner, never in a reader such as a save running in a thread.
        """
        return self._state

    @property
    def isolated(self) -> bool:
        """Return whether the breaker was opened by hand and stays open."""
        return self._isolated

    def expire_open_period(self) -> bool:
        """Move an open breaker whose period has ended to half-open.

        Return whether it did; an isolated breaker never half-opens.
        """
        if (
            self._state is _OPEN
            and not self._isolated
            and self._clock() >= self._open_until
        ):
            self._transition(_HALF_OPEN, "timeout_elapsed")
            return True
        return False

    def isolate(self) -> None:
        """Open the breaker by hand until `reset`: every call is rejected."""
        self._isolated = True
        self._open_until = math.inf
        self._open_duration = 0.0
        self._success_count = 0
        if self._state is _OPEN:
            self._generation += 1
            self._half_open_in_flight = 0
            self._last_state_change = self._wall_clock()
            self._notify(_OPEN, "isolated")
        else:
            self._transition(_OPEN, "isolated")

    @property
    def throttle(self) -> RetryThrottle:
        """Return the retry throttle (token bucket) of this breaker."""
        if self._throttle is None:
            self._throttle = RetryThrottle()
        return self._throttle

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
        """Close the breaker (isolated or not) and clear its counters; totals are kept."""
        self._isolated = False
        self._failure_count = 0
        self._success_count = 0
        self._open_base = self._config.timeout_seconds
        if self._state is _CLOSED:
            self._generation += 1
            self._half_open_in_flight = 0
        else:
            self._transition(_CLOSED, "reset")

    def restore(self, snapshot: Mapping[str, Any], *, elapsed: float) -> None:
        """Restore a `snapshot`, taken ``elapsed`` wall-clock seconds ago.

        An open breaker stays open for the rest of its open period; the elapsed
        time is clamped to ``[0, open duration]`` so a clock jump can neither
        extend nor skip more than one period. An isolated breaker stays
        isolated. Raise `ValueError` on a snapshot that breaks an invariant of
        live state, leaving the breaker unchanged.
        """
        state = self._load_snapshot(snapshot, elapsed)
        if state is not self._state:
            self._transition(state, "restored", stamp=False)

    def _admit(self) -> None:
        """Admit a call in OPEN or HALF_OPEN state, or raise."""
        if self._state is _OPEN:
            remaining = self._open_until - self._clock()
            if remaining > 0:
                self._rejected_calls += 1
                raise CircuitBreakerOpenError(self.name, remaining)
            # Only a breaker that is not isolated has a finite end of its period.
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
        """Return whether ``err`` counts as neither failure nor success.

        A predicate that raises counts the error as a failure: the permit and
        the caller's own exception must survive a bug in the predicate.
        """
        config = self._config
        if config.excluded_exceptions and isinstance(err, config.excluded_exceptions):
            return True
        if config.exclude is None:
            return False
        try:
            return bool(config.exclude(err))
        except Exception:
            _LOGGER.exception("Error in the exclude predicate of '%s'", self.name)
            return False

    def _on_error(self, err: Exception, generation: int) -> None:
        """Record a failed call, unless the error is excluded; never raise."""
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
        """Open the breaker for one jittered period of the current base.

        A longer Retry-After hint is honoured up to the longest open period
        (``MAX_BACKOFF_FACTOR * timeout_seconds``): a server cannot keep the
        breaker open for days.
        """
        duration = self._open_base * (1 + OPEN_JITTER * self._random())
        if hint is not None and hint > duration:
            duration = max(
                duration,
                min(hint, self._config.timeout_seconds * MAX_BACKOFF_FACTOR),
            )
        self._start_open_period(duration)
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
        elif reason == "isolated":
            _LOGGER.info("Circuit breaker '%s' isolated by hand", self.name)
        else:
            _LOGGER.debug(
                "Circuit breaker '%s': %s -> %s (%s)",
                self.name,
                from_state.value,
                to_state.value,
                reason,
            )
        self._notify(from_state, reason)

    def _notify(self, from_state: CircuitState, reason: str) -> None:
        """Tell the listener that the breaker entered its current state."""
        callback = self.on_transition
        if callback is None:
            return
        event = TransitionEvent(
            circuit_name=self.name,
            from_state=from_state,
            to_state=self._state,
            failure_count=self._failure_count,
            reason=reason,
            last_error=self._last_error,
        )
        try:
            callback(event)
        except Exception:
            # A listener's bug must not turn a call's outcome into an error.
            _LOGGER.exception("Error in transition listener of '%s'", self.name)
