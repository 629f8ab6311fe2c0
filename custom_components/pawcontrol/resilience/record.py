"""What a circuit breaker records, and its JSON forms: statistics and snapshot.

Pure Python, no Home Assistant import: the benchmark loads it with `breaker`.
`CircuitBreaker` runs the state machine over the fields of `BreakerRecord`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
import math
from typing import Any

from .models import BreakerStats, CircuitBreakerConfig
from .state import CircuitState
from .stored import StoredBreaker, parse_breaker_snapshot

__all__ = ["BreakerRecord"]


def _iso(timestamp: float | None) -> str | None:
    """Return a POSIX timestamp as an ISO-8601 UTC string."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat()


class BreakerRecord:
    """The state, counters and open period of a breaker, read and restored.

    Reading never changes a field; `_load_snapshot` leaves the state itself to
    the caller, so that the state machine makes the transition.
    """

    __slots__ = (
        "_clock",
        "_config",
        "_failure_count",
        "_isolated",
        "_last_error",
        "_last_failure_time",
        "_last_state_change",
        "_last_success_time",
        "_open_base",
        "_open_duration",
        "_open_until",
        "_open_until_wall",
        "_opened_count",
        "_outages",
        "_rejected_calls",
        "_reopened",
        "_state",
        "_success_count",
        "_total_calls",
        "_total_failures",
        "_total_successes",
        "_wall_clock",
        "name",
    )

    def __init__(
        self,
        name: str,
        config: CircuitBreakerConfig,
        clock: Callable[[], float],
        wall_clock: Callable[[], float],
    ) -> None:
        """Record a closed breaker that has seen no call."""
        self.name = name
        self._config = config
        self._clock = clock
        self._wall_clock = wall_clock
        self._state = CircuitState.CLOSED
        self._failure_count = 0
        self._success_count = 0
        self._isolated = False
        self._total_calls = 0
        self._total_successes = 0
        self._total_failures = 0
        self._rejected_calls = 0
        self._opened_count = 0
        self._outages = 0
        self._reopened = 0
        self._open_base = config.timeout_seconds
        self._open_duration = 0.0
        self._open_until = 0.0
        self._open_until_wall = 0.0
        self._last_failure_time: float | None = None
        self._last_success_time: float | None = None
        self._last_state_change: float | None = None
        self._last_error: str | None = None

    @property
    def open_remaining(self) -> float | None:
        """Return the seconds until a probe is allowed; None unless open or when isolated."""
        if self._state is not CircuitState.OPEN or self._isolated:
            return None
        # Never more than the period itself, even if the clock was replaced.
        return min(self._open_duration, max(0.0, self._open_until - self._clock()))

    @property
    def open_until(self) -> str | None:
        """Return when a probe is allowed (ISO-8601 UTC); None unless open or when isolated.

        Fixed when the period starts, so reading it twice gives the same text.
        """
        if self._state is not CircuitState.OPEN or self._isolated:
            return None
        return _iso(self._open_until_wall)

    def _start_open_period(self, duration: float) -> None:
        """Start an open period of ``duration`` seconds and count how it began."""
        self._open_duration = duration
        self._open_until = self._clock() + duration
        self._open_until_wall = self._wall_clock() + duration
        self._opened_count += 1
        # A transition, not the hot path: one increment either way.
        if self._state is CircuitState.CLOSED:
            self._outages += 1
        else:
            self._reopened += 1

    def stats(self) -> BreakerStats:
        """Return JSON-safe statistics; reading them changes nothing."""
        return {
            "name": self.name,
            "state": self._state.value,
            "failure_count": self._failure_count,
            "success_count": self._success_count,
            "total_calls": self._total_calls,
            "total_successes": self._total_successes,
            "total_failures": self._total_failures,
            "rejected_calls": self._rejected_calls,
            "opened_count": self._opened_count,
            "failed_calls": self._total_failures,
            "outages": self._outages,
            "reopened_after_probe": self._reopened,
            "last_failure_time": _iso(self._last_failure_time),
            "last_success_time": _iso(self._last_success_time),
            "last_state_change": _iso(self._last_state_change),
            "last_error": self._last_error,
            "open_remaining": self.open_remaining,
            "open_until": self.open_until,
            "isolated": self._isolated,
        }

    def snapshot(self) -> dict[str, Any]:
        """Return the JSON-safe state to persist across a restart; changes nothing."""
        return {
            "state": self._state.value,
            "isolated": self._isolated,
            "failure_count": self._failure_count,
            "success_count": self._success_count,
            "total_calls": self._total_calls,
            "total_successes": self._total_successes,
            "total_failures": self._total_failures,
            "rejected_calls": self._rejected_calls,
            "opened_count": self._opened_count,
            "outages": self._outages,
            "reopened_after_probe": self._reopened,
            "open_base": self._open_base,
            "open_duration": self._open_duration,
            "open_remaining": self.open_remaining,
            "last_failure_time": self._last_failure_time,
            "last_success_time": self._last_success_time,
            "last_state_change": self._last_state_change,
            "last_error": self._last_error,
        }

    def _load_snapshot(
        self, snapshot: Mapping[str, Any], elapsed: float
    ) -> CircuitState:
        """Take every field of a `snapshot` but the state, and return its state.

        Raise `ValueError` on a snapshot that breaks an invariant of live
        state, leaving every field unchanged.
        """
        stored = parse_breaker_snapshot(
            snapshot,
            timeout_seconds=self._config.timeout_seconds,
            now=self._wall_clock(),
        )
        remaining = 0.0
        if stored.state is CircuitState.OPEN:
            elapsed = min(max(0.0, elapsed), stored.open_duration)
            remaining = max(0.0, stored.open_remaining - elapsed)
        self._load_counters(stored)
        self._success_count = 0
        self._isolated = stored.isolated
        self._open_base = stored.open_base
        self._open_duration = stored.open_duration
        self._open_until = math.inf if stored.isolated else self._clock() + remaining
        self._open_until_wall = self._wall_clock() + remaining
        if stored.state is CircuitState.CLOSED:
            self._failure_count = min(
                self._failure_count, self._config.failure_threshold - 1
            )
        return stored.state

    def _load_counters(self, stored: StoredBreaker) -> None:
        """Take the counters, timestamps and last error of a validated snapshot."""
        counters = stored.counters
        self._failure_count = counters["failure_count"]
        self._total_calls = counters["total_calls"]
        self._total_successes = counters["total_successes"]
        self._total_failures = counters["total_failures"]
        self._rejected_calls = counters["rejected_calls"]
        self._opened_count = counters["opened_count"]
        self._outages = counters["outages"]
        self._reopened = counters["reopened_after_probe"]
        self._last_failure_time, self._last_success_time, self._last_state_change = (
            stored.timestamps
        )
        self._last_error = stored.last_error
