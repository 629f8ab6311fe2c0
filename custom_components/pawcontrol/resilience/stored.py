"""Validation of a breaker's saved state: stored files are outside input.

Pure Python, no Home Assistant import. Every field is checked against the
same invariants as live state; a snapshot that breaks one is refused as a
whole (`ValueError`), so a corrupted file can never reach the statistics.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import math
from typing import Any, Final

from .masking import mask_secrets
from .state import MAX_BACKOFF_FACTOR, OPEN_JITTER, CircuitState

LAST_ERROR_MAX_LENGTH: Final = 200
EARLIEST_TIMESTAMP: Final = 946_684_800.0
"""2000-01-01T00:00:00Z: no PawControl breaker failed before this."""
CLOCK_SKEW: Final = 86_400.0
"""Timestamps may lie at most this far in the future (a clock set back)."""
MAX_COUNT: Final = 2**53
COUNTERS: Final = (
    "failure_count",
    "total_calls",
    "total_successes",
    "total_failures",
    "rejected_calls",
    "opened_count",
)
OPENING_COUNTERS: Final = ("outages", "reopened_after_probe")
"""Added in 1.0.1: a snapshot saved before has neither (0), never more than opened_count."""
TIMESTAMPS: Final = ("last_failure_time", "last_success_time", "last_state_change")


class InvalidStoredStateError(ValueError):
    """A saved breaker state breaks an invariant of live state."""


@dataclass(frozen=True, slots=True)
class StoredBreaker:
    """A validated snapshot, ready to restore."""

    state: CircuitState
    isolated: bool
    counters: dict[str, int]
    open_base: float
    open_duration: float
    open_remaining: float
    timestamps: tuple[float | None, float | None, float | None]
    last_error: str | None


def max_open_duration(timeout_seconds: float) -> float:
    """Return the longest open period a breaker with this timeout can have."""
    return timeout_seconds * MAX_BACKOFF_FACTOR * (1 + OPEN_JITTER)


def _finite(value: Any, field: str) -> float:
    """Return a finite non-negative number or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidStoredStateError(f"{field} is not a number")
    result = float(value)
    if not math.isfinite(result) or result < 0:
        raise InvalidStoredStateError(f"{field} is out of range")
    return result


def _count(value: Any, field: str) -> int:
    """Return a plausible counter or raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidStoredStateError(f"{field} is not an integer")
    if not 0 <= value <= MAX_COUNT:
        raise InvalidStoredStateError(f"{field} is out of range")
    return value


def _timestamp(value: Any, field: str, now: float) -> float | None:
    """Return None or a POSIX timestamp between 2000 and tomorrow, else raise."""
    if value is None:
        return None
    stamp = _finite(value, field)
    if not EARLIEST_TIMESTAMP <= stamp <= now + CLOCK_SKEW:
        raise InvalidStoredStateError(f"{field} is out of range")
    return stamp


def _last_error(value: Any) -> str | None:
    """Return the stored error text, masked again and bounded."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidStoredStateError("last_error is not a string")
    masked: str = mask_secrets(value)
    return masked[:LAST_ERROR_MAX_LENGTH]


def _counters(raw: Mapping[str, Any]) -> dict[str, int]:
    """Return the validated counters; the opening counts may be missing (0)."""
    counters = {key: _count(raw.get(key), key) for key in COUNTERS}
    for key in OPENING_COUNTERS:
        counters[key] = _count(raw.get(key, 0), key)
    openings = counters["outages"] + counters["reopened_after_probe"]
    if openings > counters["opened_count"]:
        raise InvalidStoredStateError("outages is out of range")
    return counters


def parse_breaker_snapshot(
    raw: Mapping[str, Any], *, timeout_seconds: float, now: float
) -> StoredBreaker:
    """Return the validated snapshot or raise `InvalidStoredStateError` naming the field."""
    if not isinstance(raw, Mapping):
        raise InvalidStoredStateError("snapshot is not an object")
    try:
        state = CircuitState(str(raw.get("state")))
    except ValueError:
        raise InvalidStoredStateError("state is unknown") from None
    isolated = raw.get("isolated", False)
    if not isinstance(isolated, bool) or (isolated and state is not CircuitState.OPEN):
        raise InvalidStoredStateError("isolated is invalid")
    limit = timeout_seconds * MAX_BACKOFF_FACTOR
    open_base = min(
        max(_finite(raw.get("open_base"), "open_base"), timeout_seconds), limit
    )
    duration = _finite(raw.get("open_duration"), "open_duration")
    if duration > max_open_duration(timeout_seconds):
        raise InvalidStoredStateError("open_duration is out of range")
    remaining = 0.0
    if state is CircuitState.OPEN and not isolated:
        remaining = _finite(raw.get("open_remaining"), "open_remaining")
        if remaining > duration:
            raise InvalidStoredStateError("open_remaining is out of range")
    stamps = tuple(_timestamp(raw.get(key), key, now) for key in TIMESTAMPS)
    return StoredBreaker(
        state=state,
        isolated=isolated,
        counters=_counters(raw),
        open_base=open_base,
        open_duration=duration,
        open_remaining=remaining,
        timestamps=(stamps[0], stamps[1], stamps[2]),
        last_error=_last_error(raw.get("last_error")),
    )


def aged_snapshot(raw: Mapping[str, Any], elapsed: float) -> dict[str, Any]:
    """Return a copy of a validated snapshot ``elapsed`` seconds older.

    Used for saved states of breakers not recreated in this run, so their
    open period keeps counting down while they wait to be claimed.
    """
    aged = dict(raw)
    remaining = raw.get("open_remaining")
    if isinstance(remaining, int | float) and not isinstance(remaining, bool):
        duration = float(raw.get("open_duration") or 0.0)
        aged["open_remaining"] = max(
            0.0, float(remaining) - min(max(0.0, elapsed), duration)
        )
    return aged
