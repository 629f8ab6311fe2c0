"""The values of a circuit breaker: config, rejection, transitions, statistics.

Pure Python, no Home Assistant import: the benchmark loads it with `breaker`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import math
from typing import TypedDict, override

from .state import CircuitState

__all__ = [
    "BreakerStats",
    "CircuitBreakerConfig",
    "CircuitBreakerOpenError",
    "TransitionEvent",
]


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
        if math.isinf(self.retry_after):
            return f"Circuit breaker '{self.circuit_name}' is isolated"
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
    failed_calls: int
    outages: int
    reopened_after_probe: int
    last_failure_time: str | None
    last_success_time: str | None
    last_state_change: str | None
    last_error: str | None
    open_remaining: float | None
    open_until: str | None
    isolated: bool
